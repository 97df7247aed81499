/**
 * The official conformance server suite through the whole product: `switchboard serve` (the real CLI)
 * with a Streamable HTTP frontend, fronting the conformance backend over stdio, per-session children.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runConformanceSuite } from '../fixtures/conformance-suite.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { startServe, type Started } from './processes.js';

const started: Started[] = [];
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
});

describe.each([
  ['sse', 'all'],
  ['json', 'active'],
] as const)('conformance suite through serve --frontend http (%s responses, %s scenarios)', (mode, suite) => {
  it('passes every scenario, same as direct', { timeout: 200_000 }, async () => {
    const serve = await startServe([
      '--frontend',
      'http',
      '--bind',
      '127.0.0.1:0',
      '--response-mode',
      mode,
      '--',
      process.execPath,
      compiledFixture('conformance-server.ts'),
    ]);
    started.push(serve);
    const { code, output, passed, failed } = await runConformanceSuite(serve.urls[0] as string, suite);
    expect(failed, output).toBe(0);
    // Direct, the listener scores 47 (all) / 39 (active). Through serve one check of the pending
    // server-sse-polling scenario is not produced: it needs the *backend* to close the frontend's SSE
    // connection (SEP-1699 closeSSEStream), which a stdio backend cannot do; the scenario still passes.
    expect(passed, output).toBeGreaterThanOrEqual(suite === 'all' ? 46 : 39);
    expect(output).not.toMatch(/\bWARNING\b/);
    expect(code, output).toBe(0);
  });
});
