/**
 * The options every long-running command shares (logging, shutdown grace, GC marking, the stdio
 * backend's supervision) come from one table: `serve`, `worker` and both adapters declare each of them,
 * with the same help text, and each reaches the configuration.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerAdapterCommand, resolveAdapterConfig } from '../../src/cli/commands/adapter.js';
import { registerServeCommand } from '../../src/cli/commands/serve.js';
import { registerWorkerCommand, resolveWorkerConfig } from '../../src/cli/commands/worker.js';
import { runCli } from './cli-runner.js';

const SHARED = [
  '--log-level',
  '--log-format',
  '--shutdown-grace',
  '--gc',
  '--restart-max',
  '--env',
  '--inherit-env',
  '--cwd',
];

function commands(): Command[] {
  const program = new Command('switchboard');
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerAdapterCommand(program);
  const adapter = program.commands.find((c) => c.name() === 'adapter');
  return [...program.commands.filter((c) => c.name() !== 'adapter'), ...(adapter?.commands ?? [])];
}

describe('options shared by serve, worker and the adapters', () => {
  it('each command declares every shared option, worded alike', () => {
    const all = commands();
    expect(all.map((c) => c.name()).sort()).toEqual(['graphql', 'rest', 'serve', 'worker']);
    const described = (c: Command, flag: string): string | undefined =>
      c.options.find((o) => o.long === flag)?.description;
    for (const flag of SHARED) {
      const texts = all.map((c) => described(c, flag));
      expect(
        texts.every((t) => t !== undefined && t.length > 0),
        flag,
      ).toBe(true);
      expect(new Set(texts).size, flag).toBe(1);
    }
  });

  it('the shared options reach the configuration of worker and adapter', () => {
    const operands = { positional: [], command: ['node', 'server.js'] };
    const flags = {
      gc: 'atomic',
      logLevel: 'warn',
      shutdownGrace: '3s',
      restartMax: '7',
      env: ['A=1'],
      cwd: '/tmp',
    };
    const worker = resolveWorkerConfig({ queue: 'redis://127.0.0.1:6379/0?stream=s', ...flags }, operands);
    const adapter = resolveAdapterConfig('rest', flags, operands);
    for (const config of [worker, adapter]) {
      expect(config.gc).toBe('atomic');
      expect(config.log.level).toBe('warn');
      expect(config.shutdownGrace).toBe(3000);
      expect(config.restart.maxFastFailures).toBe(7);
      expect(config.stdio.env).toEqual({ A: '1' });
      expect(config.stdio.cwd).toBe('/tmp');
    }
  });

  it('switchboard adapter rest --gc with an unknown mode is a usage error', async () => {
    const result = await runCli(['adapter', 'rest', '--gc', 'generational']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^switchboard adapter rest: gc: /);
  });
});
