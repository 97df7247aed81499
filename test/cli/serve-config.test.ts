import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../src/cli/commands/serve.js';
import { parseDuration } from '../../src/config/duration.js';
import { projectFile } from '../fixtures/paths.js';

const none = { positional: [], command: [] };

describe('serve configuration', () => {
  it('defaults: demo backend, Streamable HTTP on 127.0.0.1:3000/mcp, per-session, 60 s / 10 min deadlines', () => {
    const c = resolveServeConfig({}, none);
    expect(c.backend).toBeUndefined();
    expect(c.listen).toEqual(['http://127.0.0.1:3000/mcp']);
    expect(c).toMatchObject({
      sessionMode: 'per-session',
      requestTimeout: 60_000,
      maxRequestTimeout: 600_000,
      maxSessions: 1000,
    });
  });

  it('accepts the seed-style flags', () => {
    const c = resolveServeConfig(
      {
        backend: 'stdio',
        cmd: 'python "my server.py" --flag',
        frontend: 'http',
        bind: '0.0.0.0:8080',
        endpoint: '/x',
      },
      none,
    );
    expect(c.backend).toEqual({ kind: 'stdio', command: 'python', args: ['my server.py', '--flag'] });
    expect(c.listen).toEqual(['http://0.0.0.0:8080/x']);
    expect(
      resolveServeConfig({ frontend: 'unix', bind: '/run/mcp.sock', tcp: '127.0.0.1:7000' }, none),
    ).toMatchObject({
      listen: ['unix:///run/mcp.sock'],
      backend: { kind: 'uri', uri: 'tcp://127.0.0.1:7000' },
    });
    expect(resolveServeConfig({ frontend: 'websocket', bind: '127.0.0.1:9000' }, none).listen).toEqual([
      'ws://127.0.0.1:9000/',
    ]);
    expect(resolveServeConfig({ frontend: 'stdio', server: 'https://example.com/mcp' }, none)).toMatchObject({
      listen: ['stdio:'],
      backend: { kind: 'uri', uri: 'https://example.com/mcp', transport: 'http' },
    });
  });

  it('accepts the URI form with several --listen, and -- <command> for stdio', () => {
    const c = resolveServeConfig(
      { listen: ['http://127.0.0.1:0/mcp', 'tcp://127.0.0.1:0'], timeout: '2m', maxTimeout: '1h' },
      { positional: [], command: ['node', 'server.js', '--port', '1'] },
    );
    expect(c.backend).toEqual({ kind: 'stdio', command: 'node', args: ['server.js', '--port', '1'] });
    expect(c.listen).toHaveLength(2);
    expect(c.requestTimeout).toBe(120_000);
    expect(c.maxRequestTimeout).toBe(3_600_000);
  });

  it('reads a YAML config; flags win over the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-config-'));
    const file = path.join(dir, 'serve.yaml');
    writeFileSync(
      file,
      [
        'backend:',
        '  command: python',
        '  args: [server.py]',
        'listen: [http://127.0.0.1:4000/mcp]',
        'sessionMode: shared',
        'requestTimeout: 30s',
        'stdio:',
        '  env: { API_KEY: from-file }',
        'log: { level: debug }',
      ].join('\n'),
    );
    const c = resolveServeConfig({ config: file, timeout: '45s', env: ['EXTRA=1'] }, none);
    expect(c.backend).toEqual({ kind: 'stdio', command: 'python', args: ['server.py'] });
    expect(c).toMatchObject({ sessionMode: 'shared', requestTimeout: 45_000, log: { level: 'debug' } });
    expect(c.stdio.env).toEqual({ API_KEY: 'from-file', EXTRA: '1' });
  });

  it.each([
    [
      { frontend: 'carrier-pigeon' },
      /--frontend "carrier-pigeon": expected one of stdio, http, tcp, unix, websocket/,
    ],
    [{ frontend: 'unix' }, /--frontend unix needs --bind/],
    [{ frontend: 'tcp', bind: 'nope' }, /--bind "nope": expected host:port/],
    [{ frontend: 'tcp', endpoint: '/x' }, /--endpoint applies to --frontend http or websocket/],
    [{ listen: ['tcp://x:1'], frontend: 'http' }, /give --listen URIs or --frontend/],
    [{ backend: 'stdio' }, /--cmd "…"/],
    [{ sessionMode: 'sometimes' }, /sessionMode/],
    [{ timeout: 'soon' }, /invalid duration "soon"/],
    [{ timeout: '20m', maxTimeout: '10m' }, /--timeout .* exceeds --max-timeout/],
    [{ maxSessions: 'lots' }, /--max-sessions "lots": expected a whole number/],
    [{ env: ['NOVALUE'] }, /--env "NOVALUE": expected NAME=value/],
    [{ authToken: 't' }, /--auth-token\/--header need a network backend/],
  ])('refuses %j with a message naming the fix', (flags, message) => {
    expect(() => resolveServeConfig(flags, none)).toThrow(message);
  });

  it('parses durations', () => {
    expect([
      parseDuration('250ms'),
      parseDuration('30s'),
      parseDuration('2m'),
      parseDuration('1h'),
      parseDuration(1.5),
    ]).toEqual([250, 30_000, 120_000, 3_600_000, 1500]);
  });
});

describe('switchboard serve (CLI)', () => {
  it('a bad flag combination is a one-line error on stderr with exit code 2', async () => {
    const run = promisify(execFile);
    const error = (await run(process.execPath, [
      projectFile('dist/cli.js'),
      'serve',
      '--frontend',
      'unix',
    ]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(2);
    expect(error.stderr.trim().split('\n')).toHaveLength(1);
    expect(error.stderr).toMatch(/--frontend unix needs --bind/);
  });
});
