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
  marking: 'incremental' | 'atomic';
  notifiedBytes: number | null;
}

/** Runs the probe (built dist) in a fresh process with a marking mode (and auto's bound, MiB); what V8 reported. */
async function probe(
  mode: 'auto' | 'incremental' | 'atomic' | 'unset',
  boundMiB?: number,
): Promise<GcCounts> {
  const args = ['--expose-gc', projectFile('test/fixtures/gc-marking-probe.mjs'), mode];
  if (boundMiB !== undefined) args.push(String(boundMiB));
  const { stdout } = await run(process.execPath, args, { timeout: 60_000 });
  return JSON.parse(stdout) as GcCounts;
}

describe('--gc: how V8 marks the old generation', () => {
  it('is unset by default (auto), takes auto, incremental or atomic, and refuses anything else', () => {
    expect(resolveServeConfig({}, none).gc).toBeUndefined();
    expect(resolveServeConfig({ gc: 'auto' }, none).gc).toBe('auto');
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

  it('each mode takes effect after start-up; auto marks in one pause until the heap passes its bound', async () => {
    // Same workload in each process: a ~15 MiB old generation (past V8's threshold for incremental
    // marking, under auto's default bound of 24 MiB), one full collection, then buffers outside the
    // heap churned between turns of the event loop.
    const [unset, incremental, atomic, autoSmallBound, autoLargeBound] = await Promise.all([
      probe('unset'),
      probe('incremental'),
      probe('atomic'),
      probe('auto', 1),
      probe('auto', 1024),
    ]);
    // V8's incremental marking runs where it is on ...
    expect(incremental.incremental).toBeGreaterThan(0);
    expect(incremental.marking).toBe('incremental');
    // ... and not in one-pause mode, where the buffers are still collected.
    expect(atomic.incremental).toBe(0);
    expect(atomic.minor).toBeGreaterThan(0);
    expect(atomic.marking).toBe('atomic');
    // The default is auto: a heap under the bound stays in one-pause mode.
    expect(unset.incremental).toBe(0);
    expect(unset.marking).toBe('atomic');
    expect(unset.notifiedBytes).toBeNull();
    expect(autoLargeBound.incremental).toBe(0);
    expect(autoLargeBound.marking).toBe('atomic');
    // A full collection that leaves more than the bound turns marking incremental, and V8 follows.
    expect(autoSmallBound.marking).toBe('incremental');
    // Told once, with the old generation's size that passed the bound (the probe holds ~15 MiB).
    expect(autoSmallBound.notifiedBytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(autoSmallBound.incremental).toBeGreaterThan(0);
  }, 90_000);
});
