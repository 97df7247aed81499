import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveMonitor } from '../../src/dashboard/live-monitor.js';
import { latencyBin, latencyQuantile, LATENCY_BINS } from '../../src/dashboard/latency-histogram.js';
import { RingBuffer } from '../../src/dashboard/ring-buffer.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { SwitchboardError } from '../../src/errors.js';

const call = (id: number, name: string, extra: Record<string, unknown> = {}): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {}, ...extra },
});

describe('LiveMonitor', () => {
  it('tracks a session: client and era from initialize, requests in flight, answers and errors', () => {
    const m = new LiveMonitor({ server: 'files' });
    m.sessionOpened('s1', 'http', { remoteAddress: '127.0.0.1' });
    m.observe('s1', 'in', {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        clientInfo: { name: 'cli', version: '1.2' },
        capabilities: {},
      },
    });
    m.observe('s1', 'out', { jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18' } });
    m.observe('s1', 'in', call(1, 'read'));
    m.observe('s1', 'in', call(2, 'write'));
    let s = m.snapshot();
    expect(s.sessions[0]).toMatchObject({
      id: 's1',
      clientName: 'cli',
      clientVersion: '1.2',
      era: '2025',
      protocolVersion: '2025-06-18',
      frontend: 'http',
      inflight: 2,
      requests: 3,
    });
    expect(s.inflight.map((r) => r.target)).toEqual(['read', 'write']);
    m.observe('s1', 'out', { jsonrpc: '2.0', id: 1, result: { content: [] } });
    m.observe('s1', 'out', {
      jsonrpc: '2.0',
      id: 2,
      result: { isError: true, content: [{ type: 'text', text: 'disk full' }] },
    });
    s = m.snapshot();
    expect(s.totals).toMatchObject({ sessions: 1, inflight: 0, requests: 3, errors: 1 });
    const write = s.series.find((x) => x.target === 'write');
    expect(write).toMatchObject({ server: 'files', method: 'tools/call', calls: 1, errors: 1 });
    expect(s.slowest.find((c) => c.target === 'write')?.error).toBe('tool error: disk full');
    const tail = m.tail();
    expect(tail.at(-1)).toMatchObject({
      kind: 'error',
      method: 'tools/call',
      target: 'write',
      server: 'files',
    });
  });

  it('learns a 2026-07-28 client from _meta, and shows progress of a request in flight', () => {
    const m = new LiveMonitor();
    m.sessionOpened('s', 'ws');
    m.observe(
      's',
      'in',
      call(7, 'slow', {
        _meta: {
          progressToken: 'p1',
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'modern', version: '3' },
        },
      }),
    );
    m.observe('s', 'out', {
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'p1', progress: 2, total: 5, message: 'half' },
    });
    const s = m.snapshot();
    expect(s.sessions[0]).toMatchObject({ era: '2026', protocolVersion: '2026-07-28', clientName: 'modern' });
    expect(s.inflight[0]?.progress).toEqual({ progress: 2, total: 5, message: 'half' });
    m.observe('s', 'in', { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7 } });
    expect(m.snapshot().totals.inflight).toBe(0);
  });

  it('closes sessions (their requests no longer in flight) and keeps a few closed ones for inspection', () => {
    const m = new LiveMonitor({ retainSessions: 2 });
    for (const id of ['a', 'b', 'c']) {
      m.sessionOpened(id, 'tcp');
      m.observe(id, 'in', call(1, 'x'));
      m.sessionClosed(id);
      m.sessionClosed(id);
    }
    const s = m.snapshot();
    expect(s.totals).toMatchObject({ sessions: 0, inflight: 0 });
    expect(s.sessions.map((x) => x.id)).toEqual(['c', 'b']);
    expect(m.sessionFrames('c')?.length).toBe(1);
    expect(m.sessionFrames('a')).toBeUndefined();
  });

  it('tracks backends from supervisor events, with stderr lines that came before the start was reported', () => {
    const m = new LiveMonitor({ server: 'srv' });
    m.backendStderr('s1', 'booting');
    m.onProxyEvent({ type: 'backend', sessionId: 's1', event: { type: 'started', attempt: 1 } as never });
    m.backendStderr('s1', 'ready');
    m.onProxyEvent({
      type: 'backend',
      sessionId: 's1',
      event: {
        type: 'exited',
        uptimeMs: 1200,
        error: new SwitchboardError('CHILD_EXITED', 'exited with code 3', { details: { exitCode: 3 } }),
      } as never,
    });
    m.onProxyEvent({ type: 'backend', sessionId: 's1', event: { type: 'started', attempt: 2 } as never });
    let b = m.snapshot().backends[0];
    expect(b).toMatchObject({ server: 'srv', instance: 's1', state: 'up', starts: 2, restarts: 1 });
    expect(b?.stderr).toEqual(['booting', 'ready']);
    expect(b?.lastExit).toMatchObject({ exitCode: 3, uptimeMs: 1200 });
    m.onProxyEvent({ type: 'session-closed', sessionId: 's1', sessions: 0 });
    b = m.snapshot().backends[0];
    expect(b?.state).toBe('closed');
  });

  it('places calls on servers with a route (a gateway)', () => {
    const m = new LiveMonitor({
      route: (_method, target) =>
        target?.includes('__')
          ? { server: target.split('__')[0] as string, target: target.split('__')[1] }
          : { server: 'gateway', target },
    });
    m.sessionOpened('s', 'http');
    m.observe('s', 'in', call(1, 'alpha__fail'));
    m.observe('s', 'out', { jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'nope' } });
    expect(m.snapshot().series[0]).toMatchObject({ server: 'alpha', target: 'fail', errors: 1 });
    expect(m.tail().map((f) => f.server)).toEqual(['alpha', 'alpha']);
  });

  it('stays bounded whatever arrives (JSON-looking garbage in params and results never throws)', () => {
    const m = new LiveMonitor({
      tailFrames: 50,
      sessionFrames: 5,
      maxSessions: 3,
      maxInflight: 20,
      slowest: 5,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('s1', 's2', 's3', 's4', 's5'),
        fc.constantFrom('in' as const, 'out' as const),
        fc.oneof(fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 4 })),
        fc.jsonValue(),
        fc.constantFrom('request', 'result', 'error', 'notification'),
        (session, direction, id, value, kind) => {
          m.sessionOpened(session, 'http');
          const message = (
            kind === 'request'
              ? { jsonrpc: '2.0', id, method: 'tools/call', params: value }
              : kind === 'result'
                ? { jsonrpc: '2.0', id, result: value }
                : kind === 'error'
                  ? {
                      jsonrpc: '2.0',
                      id,
                      error: { code: -1, message: String(JSON.stringify(value)).slice(0, 50) },
                    }
                  : { jsonrpc: '2.0', method: 'notifications/progress', params: value }
          ) as JSONRPCMessage;
          m.observe(session, direction, message);
          if (id === 0) m.sessionClosed(session);
        },
      ),
      { numRuns: 2000 },
    );
    const s = m.snapshot();
    expect(m.tail().length).toBeLessThanOrEqual(50);
    expect(s.totals.sessions).toBeLessThanOrEqual(3);
    expect(s.totals.inflight).toBeLessThanOrEqual(20);
    expect(s.slowest.length).toBeLessThanOrEqual(5);
    for (const f of m.tail()) expect((f.preview ?? '').length).toBeLessThanOrEqual(4097);
  });
});

describe('latency histogram and ring buffer', () => {
  it('puts latencies in log bins and reads percentiles back within the bin precision', () => {
    const counts = new Uint32Array(LATENCY_BINS);
    for (let ms = 1; ms <= 100; ms++) {
      const bin = latencyBin(ms);
      counts[bin] = (counts[bin] as number) + 1;
    }
    const p50 = latencyQuantile(counts, 0, 0.5) as number;
    const p99 = latencyQuantile(counts, 0, 0.99) as number;
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(50 * 1.5);
    expect(p99).toBeGreaterThanOrEqual(99);
    expect(p99).toBeLessThanOrEqual(99 * 1.5);
    expect(latencyQuantile(new Uint32Array(LATENCY_BINS), 0, 0.5)).toBeNull();
    expect(latencyBin(1e9)).toBe(LATENCY_BINS - 1);
  });

  it('ring buffer keeps the newest items', () => {
    const r = new RingBuffer<number>(3);
    for (const n of [1, 2, 3, 4, 5]) r.push(n);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.size).toBe(3);
    r.clear();
    expect(r.toArray()).toEqual([]);
  });
});
