import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import { CircuitBreaker } from '../../src/middleware/circuit-breaker.js';
import { retry, type RetryEvent } from '../../src/middleware/retry.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { backendDied, failingSends, flush, ok, request, rig } from './harness.js';

const idsAtBackend = (messages: JSONRPCMessage[], method: string): unknown[] =>
  messages.filter((m) => m.method === method).map((m) => (m as { id?: unknown }).id);

describe('retry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-sends an idempotent request the backend died with, after a jittered backoff, and delivers only the final answer', async () => {
    const events: RetryEvent[] = [];
    let failures = 2;
    const r = await rig(
      [retry({ maxRetries: 3, initialDelayMs: 100, maxDelayMs: 5_000, onRetry: (e) => events.push(e) })],
      (req, reply) => {
        void reply(failures-- > 0 ? backendDied(req.id) : ok(req.id, { tools: [] }));
      },
    );
    await r.transport.send(request(1, 'tools/list'));
    await flush();
    expect(idsAtBackend(r.atBackend, 'tools/list')).toEqual([1]);
    expect(r.delivered).toEqual([]); // the failure is held back while a retry is pending
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ method: 'tools/list', id: 1, attempt: 1 });

    // Nothing is re-sent before the backoff has passed.
    vi.advanceTimersByTime(Math.max(0, (events[0]?.delayMs ?? 0) - 1));
    await flush();
    expect(idsAtBackend(r.atBackend, 'tools/list')).toEqual([1]);
    await vi.advanceTimersByTimeAsync(10_000);
    await flush();
    expect(idsAtBackend(r.atBackend, 'tools/list')).toEqual([1, 1, 1]);
    expect(events.map((e) => e.attempt)).toEqual([1, 2]);
    expect(r.delivered).toEqual([ok(1, { tools: [] })]);
    await r.close();
  });

  it('backs off with jitter: delays differ between requests and stay within the maximum', async () => {
    const delays: number[] = [];
    const r = await rig(
      [
        retry({
          maxRetries: 1,
          initialDelayMs: 100,
          maxDelayMs: 400,
          onRetry: (e) => delays.push(e.delayMs),
        }),
      ],
      (req, reply) => {
        const attempts = r.atBackend.filter((m) => (m as { id?: unknown }).id === req.id).length;
        void reply(attempts === 1 ? backendDied(req.id) : ok(req.id));
      },
    );
    for (let i = 0; i < 20; i++) await r.transport.send(request(i, 'resources/read', { uri: 'a://b' }));
    await flush();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delays).toHaveLength(20);
    expect(new Set(delays.map((d) => Math.round(d))).size).toBeGreaterThan(5);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of delays) expect(d).toBeLessThanOrEqual(400);
    expect(r.delivered).toHaveLength(20);
    await r.close();
  });

  it('never re-sends a tools/call that reached the backend, unless that tool is configured', async () => {
    const r = await rig([retry()], (req, reply) => void reply(backendDied(req.id)));
    await r.transport.send(request(1, 'tools/call', { name: 'pay' }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(idsAtBackend(r.atBackend, 'tools/call')).toEqual([1]);
    expect(r.delivered).toEqual([backendDied(1)]);
    await r.close();

    let first = true;
    const r2 = await rig([retry({ tools: ['lookup'] })], (req, reply) => {
      void reply(first ? backendDied(req.id) : ok(req.id));
      first = false;
    });
    await r2.transport.send(request(1, 'tools/call', { name: 'lookup' }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(idsAtBackend(r2.atBackend, 'tools/call')).toEqual([1, 1]);
    expect(r2.delivered).toEqual([ok(1)]);
    await r2.close();
  });

  it('re-sends any request (tools/call included) whose send failed before it left', async () => {
    const refused = (): Error =>
      new SwitchboardError('CONNECTION_FAILED', 'connect ECONNREFUSED', {
        details: { errno: 'ECONNREFUSED' },
      });
    const r = await rig([retry()], (req, reply) => void reply(ok(req.id)), failingSends(2, refused));
    const sent = r.transport.send(request(7, 'tools/call', { name: 'pay' }));
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(sent).resolves.toBeUndefined();
    expect(idsAtBackend(r.atBackend, 'tools/call')).toEqual([7]);
    expect(r.delivered).toEqual([ok(7)]);
    await r.close();
  });

  it('gives up after maxRetries and passes the last failure on', async () => {
    const r = await rig([retry({ maxRetries: 2 })], (req, reply) => void reply(backendDied(req.id)));
    await r.transport.send(request(1, 'prompts/list'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(idsAtBackend(r.atBackend, 'prompts/list')).toEqual([1, 1, 1]);
    expect(r.delivered).toEqual([backendDied(1)]);

    // A send that keeps failing before it left rejects the caller's send().
    const closed = (): Error => new SwitchboardError('TRANSPORT_CLOSED', 'closed');
    const r2 = await rig([retry({ maxRetries: 1 })], undefined, failingSends(5, closed));
    const sent = r2.transport.send(request(2, 'tools/call', { name: 'x' }));
    const settled = expect(sent).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await vi.advanceTimersByTimeAsync(10_000);
    await settled;
    await r.close();
    await r2.close();
  });

  it('stops retrying when the request is cancelled, and does not retry an open breaker', async () => {
    const r = await rig([retry({ initialDelayMs: 1_000 })], (req, reply) => void reply(backendDied(req.id)));
    await r.transport.send(request(1, 'tools/list'));
    await flush();
    await r.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(idsAtBackend(r.atBackend, 'tools/list')).toEqual([1]);
    expect(r.delivered).toEqual([]);
    await r.close();

    const breaker = new CircuitBreaker({ minimumRequests: 1, threshold: 0.1 });
    const r2 = await rig(
      [breaker.middleware, retry({ maxRetries: 5 })],
      (req, reply) => void reply(backendDied(req.id)),
    );
    await r2.transport.send(request(1, 'tools/list'));
    await vi.advanceTimersByTimeAsync(30_000);
    // The first failure opened the breaker; the retry met CIRCUIT_OPEN and stopped there.
    expect(idsAtBackend(r2.atBackend, 'tools/list')).toEqual([1]);
    expect(r2.delivered).toHaveLength(1);
    expect(r2.delivered[0]).toMatchObject({ id: 1, error: { data: { code: 'CIRCUIT_OPEN' } } });
    await r2.close();
  });
});
