import { describe, expect, it } from 'vitest';
import { argvWithBakedConfig } from '../../src/cli/baked-config.js';

describe('a configuration baked into the executable', () => {
  const exe = ['/opt/switchboard', '/opt/switchboard'];
  it('no command: serve the baked configuration', () => {
    expect(argvWithBakedConfig(exe, '/tmp/c.yaml')).toEqual([...exe, 'serve', '--config', '/tmp/c.yaml']);
  });
  it('serve without --config gets it; flags still follow (and win)', () => {
    expect(argvWithBakedConfig([...exe, 'serve', '--log-level', 'debug'], '/tmp/c.yaml')).toEqual([
      ...exe,
      'serve',
      '--config',
      '/tmp/c.yaml',
      '--log-level',
      'debug',
    ]);
  });
  it('serve --config, other commands and no baked configuration are left alone', () => {
    for (const argv of [
      [...exe, 'serve', '--config', 'mine.yaml'],
      [...exe, 'serve', '--config=mine.yaml'],
      [...exe, '--version'],
      [...exe, 'inspect', 'http://127.0.0.1:1/mcp'],
    ]) {
      expect(argvWithBakedConfig(argv, '/tmp/c.yaml')).toEqual(argv);
    }
    expect(argvWithBakedConfig(exe, undefined)).toEqual(exe);
  });
});
