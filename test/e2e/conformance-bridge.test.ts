/**
 * The official conformance server suite (a 2025-era client) through a 2025 frontend of `serve` (SSE
 * responses, as the suite's SSE scenarios need), against
 * the conformance backend limited to 2026-07-28 behind the era bridge — compared scenario by scenario with
 * the same suite run directly (our HTTP listener, the 2025 conformance backend in-process), side by side.
 *
 * Scenarios whose feature has no 2026-07-28 form still pass, served by the bridge or the frontend
 * (docs/eras.md): ping and logging/setLevel are answered by the bridge, resources/subscribe and
 * unsubscribe become subscriptions/listen filters, SSE polling and multiple streams are the 2025
 * frontend's own. One check differs for a reason unrelated to eras: server-sse-polling's
 * backend-initiated stream close (SEP-1699 `closeSSEStream`) exists only in-process — a backend behind
 * `serve` cannot close the frontend's stream (the same check is missing through `serve` with the 2025
 * backend, see conformance-serve.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createConformanceServer } from '../fixtures/conformance-server.js';
import { runConformanceSuite, type SuiteResult } from '../fixtures/conformance-suite.js';
import { startHttp } from '../fixtures/http-server-harness.js';
import { fixture } from '../fixtures/paths.js';
import { startServe, type Started } from './processes.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `scenario → [passed, failed]` from the suite's per-scenario lines. */
function scenarios(result: SuiteResult): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const m of result.output.matchAll(/[✓✗] ([\w-]+): (\d+) passed, (\d+) failed/g)) {
    out.set(m[1] as string, [Number(m[2]), Number(m[3])]);
  }
  return out;
}

async function bridgedRun(): Promise<SuiteResult> {
  const serve: Started & { urls: string[] } = await startServe([
    '--frontend',
    'http',
    '--bind',
    '127.0.0.1:0',
    '--response-mode',
    'sse',
    '--',
    process.execPath,
    fixture('conformance-server-2026.mjs'),
  ]);
  cleanups.push(() => serve.stop());
  return runConformanceSuite(serve.urls[0] as string, 'all', 240_000);
}

async function directRun(): Promise<SuiteResult> {
  const s = await startHttp(
    (transport, info) => {
      if (info.era === 'stateless') return void transport.close(); // the suite speaks the 2025 era
      void createConformanceServer().connect(transport);
    },
    { responseMode: 'sse' },
  );
  cleanups.push(() => s.listener.close({ graceMs: 500 }));
  return runConformanceSuite(s.url.href, 'all', 240_000);
}

describe('conformance suite against a 2026-07-28-only backend behind the era bridge', () => {
  it('gives the same result as the direct run, scenario by scenario', { timeout: 280_000 }, async () => {
    const [bridged, direct] = await Promise.all([bridgedRun(), directRun()]);
    expect(direct.failed, direct.output).toBe(0);
    expect(bridged.failed, bridged.output).toBe(0);
    expect(bridged.output).not.toMatch(/\bWARNING\b/);
    expect(bridged.code, bridged.output).toBe(0);
    const b = scenarios(bridged);
    const d = scenarios(direct);
    expect([...b.keys()].sort()).toEqual([...d.keys()].sort());
    expect(b.size).toBeGreaterThanOrEqual(30);
    for (const [name, [passed, failed]] of d) {
      const [bPassed, bFailed] = b.get(name) ?? [0, -1];
      expect(bFailed, name).toBe(failed);
      if (name === 'server-sse-polling') expect(bPassed, name).toBe(passed - 1);
      else expect(bPassed, name).toBe(passed);
    }
  });
});
