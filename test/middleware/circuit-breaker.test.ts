import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import { CircuitBreaker, type BreakerState } from '../../src/middleware/circuit-breaker.js';
import { backendDied, failingSends, flush, ok, request, rig } from './harness.js';

describe('circuit breaker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens on the failure rate, refuses at once, half-opens after the delay, and closes on a good probe', async () => {
    const states: BreakerState[] = [];
    const breaker = new CircuitBreaker({
      threshold: 0.5,
      windowMs: 10_000,
      minimumRequests: 10,
      halfOpenAfterMs: 5_000,
      onStateChange: (s) => states.push(s),
    });
    let failing = true;
    let n = 0;
    const r = await rig([breaker.middleware], (req, reply) => {
      n++;
      // While failing: 6 of every 10 answers are backend failures (60 % > 50 %).
      void reply(failing && n % 10 < 6 ? backendDied(req.id) : ok(req.id));
    });

    // Nine requests: 5 failures among them, but below the minimum volume: still closed.
    for (let i = 1; i <= 9; i++) await r.transport.send(request(i, 'tools/call', { name: 'x' }));
    await flush();
    expect(breaker.state).toBe('closed');
    // The tenth reaches the minimum volume with a failure rate above the threshold.
    await r.transport.send(request(10, 'tools/call', { name: 'x' }));
    await flush();
    expect(breaker.state).toBe('open');
    expect(breaker.rejecting).toBe(true);

    // Open: refused at once with CIRCUIT_OPEN, nothing reaches the backend.
    const before = r.atBackend.length;
    await expect(r.transport.send(request(11, 'tools/list'))).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(r.atBackend.length).toBe(before);
    // Notifications still pass.
    await r.transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(r.atBackend.length).toBe(before + 1);

    // After the delay one probe passes; while it is out, other requests are refused.
    vi.advanceTimersByTime(5_001);
    expect(breaker.rejecting).toBe(false);
    failing = false;
    await r.transport.send(request(12, 'ping'));
    await flush();
    expect(r.atBackend.at(-1)).toMatchObject({ id: 12, method: 'ping' });
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);

    await r.transport.send(request(13, 'tools/list'));
    await flush();
    expect(r.delivered.at(-1)).toMatchObject({ id: 13, result: {} });
    await r.close();
  });

  it('refuses other requests while the half-open probe is out, and reopens when the probe fails', async () => {
    const breaker = new CircuitBreaker({
      threshold: 0.5,
      windowMs: 10_000,
      minimumRequests: 2,
      halfOpenAfterMs: 1_000,
    });
    let hold = false;
    const r = await rig([breaker.middleware], (req, reply) => {
      if (!hold) void reply(backendDied(req.id));
    });
    await r.transport.send(request(1, 'ping'));
    await r.transport.send(request(2, 'ping'));
    await flush();
    expect(breaker.state).toBe('open');

    vi.advanceTimersByTime(1_001);
    hold = true;
    await r.transport.send(request(3, 'ping')); // the probe, held by the backend
    await flush();
    expect(breaker.state).toBe('half-open');
    await expect(r.transport.send(request(4, 'ping'))).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(r.atBackend.map((m) => (m as { id?: unknown }).id)).toEqual([1, 2, 3]);

    await r.reply(backendDied(3));
    await flush();
    expect(breaker.state).toBe('open');
    expect(breaker.rejecting).toBe(true);
    await r.close();
  });

  it('does not count tool errors or JSON-RPC errors chosen by the backend as failures', async () => {
    const breaker = new CircuitBreaker({ threshold: 0.5, windowMs: 10_000, minimumRequests: 2 });
    const r = await rig([breaker.middleware], (req, reply) => {
      if (req.id === 'bad-params') {
        void reply({ jsonrpc: '2.0', id: req.id, error: { code: -32602, message: 'bad params' } });
      } else void reply(ok(req.id, { content: [], isError: true }));
    });
    for (let i = 0; i < 20; i++) await r.transport.send(request(i, 'tools/call', { name: 't' }));
    await r.transport.send(request('bad-params', 'tools/call', { name: 't' }));
    await flush();
    expect(breaker.state).toBe('closed');
    expect(r.delivered).toHaveLength(21);
    await r.close();
  });

  it('counts HTTP 5xx/429 send failures and timeouts, not early cancellations', async () => {
    const breaker = new CircuitBreaker({
      threshold: 0.5,
      windowMs: 10_000,
      minimumRequests: 4,
      timeoutMs: 1_000,
    });
    const http503 = (): Error =>
      new SwitchboardError('HTTP_ERROR', 'POST answered HTTP 503', { details: { status: 503 } });
    const r = await rig([breaker.middleware], undefined, failingSends(2, http503));
    await expect(r.transport.send(request(1, 'tools/list'))).rejects.toMatchObject({ code: 'HTTP_ERROR' });
    await expect(r.transport.send(request(2, 'tools/list'))).rejects.toMatchObject({ code: 'HTTP_ERROR' });
    await flush();
    expect(breaker.state).toBe('closed'); // 2 samples, below the minimum of 4

    // A request cancelled early is neither a success nor a failure.
    await r.transport.send(request(3, 'tools/call', { name: 'slow' }));
    await r.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } });
    await flush();
    expect(breaker.state).toBe('closed');

    // Two requests cancelled after the timeout (what the proxy does when its deadline passes) are failures.
    await r.transport.send(request(4, 'tools/call', { name: 'slow' }));
    await r.transport.send(request(5, 'tools/call', { name: 'slow' }));
    vi.advanceTimersByTime(1_500);
    await r.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4 } });
    await r.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5 } });
    await flush();
    expect(breaker.state).toBe('open');
    await r.close();
  });
});
