/**
 * The per-connection count of requests in flight that a listener's shutdown waits on: ids are matched
 * as JSON-RPC matches them (the number 1 and the string "1" are different requests), in both
 * directions, and a cancellation ends a request as its response would.
 */
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { InflightTracker } from '../../src/transports/socket-inflight.js';

const request = (id: string | number): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'tools/call' });
const response = (id: string | number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: {} });
const cancelled = (requestId: string | number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/cancelled',
  params: { requestId },
});

describe('InflightTracker', () => {
  it('tells the number 1 from the string "1"', async () => {
    const t = new InflightTracker();
    t.received(request(1));
    t.received(request('1'));
    expect(t.size).toBe(2);
    t.sent(response('1'));
    expect(t.size).toBe(1);
    let idle = false;
    const waited = t.whenIdle().then(() => (idle = true));
    t.sent(response('1')); // answered already: changes nothing
    await Promise.resolve();
    expect(idle).toBe(false);
    t.sent(response(1));
    await waited;
    expect(t.idle).toBe(true);
  });

  it('counts both directions, and a cancellation ends a request', () => {
    const t = new InflightTracker();
    t.received(request(7)); // the peer asks us
    t.sent(request(7)); // we ask the peer, with the same id: another request
    expect(t.size).toBe(2);
    t.received(response(7)); // the peer answers ours
    expect(t.size).toBe(1);
    t.received(cancelled(7)); // the peer gives up on its own
    expect(t.idle).toBe(true);
    // A response or a cancellation for an id nobody sent changes nothing.
    t.received(request('a'));
    t.received(response('a'));
    t.sent(cancelled('a'));
    expect(t.size).toBe(1);
  });

  it('keeps at most maxTracked ids per direction', () => {
    const t = new InflightTracker(3);
    for (let id = 0; id < 10; id++) t.received(request(id));
    for (let id = 0; id < 10; id++) t.sent(request(id));
    expect(t.size).toBe(6);
    t.sent(response(9)); // not tracked: beyond the bound
    expect(t.size).toBe(6);
    t.sent(response(0));
    expect(t.size).toBe(5);
  });
});
