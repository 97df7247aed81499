import { describe, expect, it } from 'vitest';
import { Bulkhead } from '../../src/middleware/bulkhead.js';
import { pipe } from '../../src/middleware/pipe.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { flush, ok, request, rig } from './harness.js';

const ids = (messages: readonly JSONRPCMessage[]): unknown[] =>
  messages.map((m) => (m as { id?: unknown }).id);

describe('bulkhead', () => {
  it('holds requests beyond capacity in a bounded queue and refuses the rest at once', async () => {
    const rejected: string[] = [];
    const limit = new Bulkhead({ maxConcurrent: 2, maxQueued: 1, onReject: (m) => rejected.push(m) });
    const r = await rig([limit.middleware]);
    await r.transport.send(request(1, 'tools/call', { name: 'a' }));
    await r.transport.send(request(2, 'tools/call', { name: 'a' }));
    const third = r.transport.send(request(3, 'tools/call', { name: 'a' }));
    await expect(r.transport.send(request(4, 'tools/call', { name: 'a' }))).rejects.toMatchObject({
      code: 'BULKHEAD_FULL',
    });
    expect(rejected).toEqual(['tools/call']);
    await flush();
    expect(ids(r.atBackend)).toEqual([1, 2]);
    // Notifications are never held.
    await r.transport.send({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 1, progress: 1 },
    });
    expect(r.atBackend).toHaveLength(3);

    // An answer frees a slot: the queued request leaves, in order.
    await r.reply(ok(1));
    await third;
    await flush();
    expect(ids(r.atBackend.filter((m) => m.method === 'tools/call'))).toEqual([1, 2, 3]);
    expect(ids(r.delivered)).toEqual([1]);
    expect(limit.available).toBe(0);
    await r.close();
  });

  it('frees the slot of a cancelled request and drops a cancelled queued one', async () => {
    const limit = new Bulkhead({ maxConcurrent: 1, maxQueued: 2 });
    const r = await rig([limit.middleware]);
    await r.transport.send(request(1, 'tools/call', { name: 'a' }));
    const queued = r.transport.send(request(2, 'tools/call', { name: 'a' }));
    const queuedToo = r.transport.send(request(3, 'tools/call', { name: 'a' }));
    // Cancel the queued #2: it never reaches the backend.
    await r.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } });
    await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
    // Cancel the running #1: its slot goes to #3.
    await r.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    await queuedToo;
    await flush();
    expect(ids(r.atBackend.filter((m) => m.method === 'tools/call'))).toEqual([1, 3]);
    await r.close();
  });

  it('shares one limit between every connection it wraps, and releases slots when a connection closes', async () => {
    const limit = new Bulkhead({ maxConcurrent: 1, maxQueued: 0 });
    const [a] = InMemoryTransport.createLinkedPair();
    const [b, bFar] = InMemoryTransport.createLinkedPair();
    const ta = pipe(a, limit.middleware);
    const tb = pipe(b, limit.middleware);
    await bFar.start();
    await ta.start();
    await tb.start();
    await ta.send(request(1, 'ping')).catch(() => undefined); // a's peer never started: still holds a slot
    await expect(tb.send(request(1, 'ping'))).rejects.toMatchObject({ code: 'BULKHEAD_FULL' });
    await ta.close();
    await flush();
    await expect(tb.send(request(2, 'ping'))).resolves.toBeUndefined();
    await tb.close();
  });
});
