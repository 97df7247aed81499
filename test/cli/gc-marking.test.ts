import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../src/cli/commands/serve.js';
import { resolveWorkerConfig } from '../../src/cli/commands/worker.js';
import { projectFile } from '../fixtures/paths.js';
import { runCli } from './cli-runner.js';

const run = promisify(execFile);
const none = { positional: [], command: [] };

interface GcCounts {
  minor: number;
  major: number;
  incremental: number;
}

/** Runs the probe (built dist) in a fresh process with a marking mode; what V8 reported. */
async function probe(mode: 'incremental' | 'atomic' | 'unset'): Promise<GcCounts> {
  const { stdout } = await run(process.execPath, [projectFile('test/fixtures/gc-marking-probe.mjs'), mode], {
    timeout: 60_000,
  });
  return JSON.parse(stdout) as GcCounts;
}

describe('--gc: how V8 marks the old generation', () => {
  it('is unset by default, takes incremental or atomic, and refuses anything else', () => {
    expect(resolveServeConfig({}, none).gc).toBeUndefined();
    expect(resolveServeConfig({ gc: 'atomic' }, none).gc).toBe('atomic');
    expect(resolveServeConfig({ gc: 'incremental' }, none).gc).toBe('incremental');
    expect(() => resolveServeConfig({ gc: 'generational' }, none)).toThrow(/^gc: /);
    // A scale-out worker carries the same messages: it takes the flag too.
    const queue = 'redis://127.0.0.1:6379/0?stream=pool';
    expect(
      resolveWorkerConfig({ queue, gc: 'atomic' }, { positional: [], command: ['node', 'server.js'] }).gc,
    ).toBe('atomic');
  });

  it('switchboard serve --gc with an unknown mode is a usage error', async () => {
    const result = await runCli(['serve', '--gc', 'generational']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^switchboard serve: gc: /);
  });

  it('atomic takes effect after start-up: V8 marks no more in steps, where it did by default', async () => {
    // Same workload in three processes: a heap past V8's threshold for incremental marking, and
    // buffers outside the heap churned between turns of the event loop.
    const [unset, incremental, atomic] = await Promise.all([
      probe('unset'),
      probe('incremental'),
      probe('atomic'),
    ]);
    expect(unset.incremental).toBeGreaterThan(0);
    expect(incremental.incremental).toBeGreaterThan(0);
    expect(atomic.incremental).toBe(0);
    // The buffers were still collected, by young-generation collections.
    expect(atomic.minor).toBeGreaterThan(0);
  }, 90_000);
});
