/**
 * Resumable 2025-era SSE streams: priming events, event ids that encode the stream, `Last-Event-ID`
 * replaying exactly the missed events of that one stream, and the bounded in-memory event store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { isRequest } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';
import { MemoryEventStore } from '../../src/transports/http/server/memory-event-store.js';
import type { SessionTransport } from '../../src/transports/http/server/session-transport.js';
import { openSse, post, startHttp, until, type SseStream } from '../fixtures/http-server-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A raw session-era backend: answers initialize (2025-11-25) and ping; everything else is scripted. */
async function serve(
  onRequest: (m: JSONRPCMessage, t: Transport) => void = () => undefined,
  store?: MemoryEventStore,
) {
  let session: SessionTransport | undefined;
  const started = await startHttp(
    (t) => {
      session = t as SessionTransport;
      t.onmessage = (m) => {
        if (!isRequest(m)) return;
        if (m.method === 'initialize') {
          void t.send({
            jsonrpc: '2.0',
            id: m.id,
            result: {
              protocolVersion: '2025-11-25',
              capabilities: {},
              serverInfo: { name: 'raw', version: '1' },
            },
          });
        } else if (m.method === 'ping') void t.send({ jsonrpc: '2.0', id: m.id, result: {} });
        else onRequest(m, t);
      };
      void t.start();
    },
    { responseMode: 'json', retryMs: 250, ...(store ? { eventStore: store } : {}) },
  );
  cleanups.push(() => started.listener.close({ graceMs: 100 }));
  const init = await post(started.url, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const sid = init.headers['mcp-session-id'] as string;
  return { ...started, sid, session: () => session as SessionTransport };
}

const note = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data: n },
});
const dataOf = (s: SseStream): unknown[] =>
  s.events
    .filter((e) => e.data !== '')
    .map(
      (e) =>
        (JSON.parse(e.data) as { params?: { data?: unknown }; id?: unknown }).params?.data ??
        (JSON.parse(e.data) as { id?: unknown }).id,
    );

describe('resumable SSE streams (2025-11-25)', () => {
  it('replays exactly the missed standalone-stream events, in order, after a client disconnect', async () => {
    const s = await serve();
    const headers = {
      accept: 'text/event-stream',
      'mcp-session-id': s.sid,
      'mcp-protocol-version': '2025-11-25',
    };
    const first = await openSse(s.url, { headers });
    await first.waitFor(1);
    expect(first.events[0]).toEqual({ id: '0-1', data: '', retry: 250 }); // priming event
    const t = s.session();
    // The server keeps producing while the client's connection dies after 5 events.
    let sent = 0;
    const producer = (async () => {
      while (sent < 40) {
        await t.send(note(++sent));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await first.waitFor(6);
    first.close();
    const seen = first.events
      .slice(1)
      .map((e) => (JSON.parse(e.data) as { params: { data: number } }).params.data);
    const lastId = first.events[first.events.length - 1]?.id as string;
    expect(lastId).toMatch(/^0-\d+$/);
    await producer;
    await until(() => s.session().idleSince() !== undefined, 20_000, 'the server to notice the disconnect');
    const resumed = await openSse(s.url, { headers: { ...headers, 'last-event-id': lastId } });
    cleanups.push(() => Promise.resolve(resumed.close()));
    const missing = 40 - seen.length;
    await resumed.waitFor(missing);
    await t.send(note(41)); // live again after the replay
    await resumed.waitFor(missing + 1);
    const replayed = resumed.events.map(
      (e) => (JSON.parse(e.data) as { params: { data: number } }).params.data,
    );
    expect([...seen, ...replayed]).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    // Ids stay unique and increasing within the stream.
    const ids = [...first.events, ...resumed.events].map((e) => Number(e.id?.split('-')[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stores a standalone priming id as a marker (a takeover numbers above it); replays skip it', async () => {
    const store = new MemoryEventStore();
    const s = await serve(undefined, store);
    const headers = {
      accept: 'text/event-stream',
      'mcp-session-id': s.sid,
      'mcp-protocol-version': '2025-11-25',
    };
    const first = await openSse(s.url, { headers });
    await first.waitFor(1);
    expect(first.events[0]).toMatchObject({ id: '0-1', data: '' });
    expect(store.replay(s.sid, 0, 0)).toEqual([{ seq: 1, data: '' }]);
    first.close();
    await until(() => s.session().idleSince() !== undefined, 20_000, 'the server to notice the disconnect');
    await s.session().send(note(1));
    const resumed = await openSse(s.url, { headers: { ...headers, 'last-event-id': '0-0' } });
    cleanups.push(() => Promise.resolve(resumed.close()));
    await resumed.waitFor(1);
    expect(resumed.events[0]?.id).toBe('0-2');
    expect(dataOf(resumed)).toEqual([1]);
  });

  it('keeps a finished stream resumable: its answer was written, but that proves no delivery', async () => {
    let callId: number | string | undefined;
    const s = await serve((m) => {
      if (m.method === 'tools/call' && 'id' in m) callId = m.id as number;
    });
    const call = await openSse(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'mcp-session-id': s.sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'x' } }),
    });
    await until(() => callId !== undefined, 20_000, 'the call to arrive');
    await s.session().send({ jsonrpc: '2.0', id: 8, result: { content: [] } });
    await call.ended; // written on a connection that looked alive (a dying hop may still lose it)
    const resumed = await openSse(s.url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': s.sid,
        'last-event-id': call.events[0]?.id as string,
      },
    });
    await resumed.ended;
    expect(dataOf(resumed)).toEqual([8]);
  });

  it('resumes a POST stream on GET: only that stream, then its response ends it', async () => {
    let callId: number | string | undefined;
    const s = await serve((m) => {
      if (m.method === 'tools/call' && 'id' in m) callId = m.id as number;
    });
    const t = s.session();
    const call = await openSse(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'mcp-session-id': s.sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'long' } }),
    });
    await until(() => callId !== undefined, 20_000, 'the call to arrive');
    await t.send(note(1), { relatedRequestId: 7 });
    await t.send(note(2), { relatedRequestId: 7 });
    await call.waitFor(3); // priming + 2
    const streamId = call.events[0]?.id?.split('-')[0];
    expect(streamId).not.toBe('0');
    call.close();
    await until(() => s.session().idleSince() === undefined && call.res.destroyed, 20_000, 'disconnect');
    await new Promise((r) => setTimeout(r, 50));
    await t.send(note(3), { relatedRequestId: 7 }); // stored: the stream is resumable
    await t.send(note(99)); // standalone stream: must not be replayed on the POST stream
    await t.send({ jsonrpc: '2.0', id: 7, result: { content: [] } });
    const resumed = await openSse(s.url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': s.sid,
        'last-event-id': call.events[2]?.id as string,
      },
    });
    await resumed.ended;
    expect(dataOf(resumed)).toEqual([3, 7]);
    expect(resumed.events.every((e) => e.id?.startsWith(`${streamId}-`))).toBe(true);
  });

  it('continues a live POST stream after a resumption and ends it with the response', async () => {
    const s = await serve();
    const t = s.session();
    const call = await openSse(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'mcp-session-id': s.sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'x', method: 'tools/call', params: { name: 'long' } }),
    });
    await call.waitFor(1);
    await t.send(note(1), { relatedRequestId: 'x' });
    await call.waitFor(2);
    call.close();
    await new Promise((r) => setTimeout(r, 50));
    const resumed = await openSse(s.url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': s.sid,
        'last-event-id': call.events[1]?.id as string,
      },
    });
    await t.send(note(2), { relatedRequestId: 'x' });
    await t.send({ jsonrpc: '2.0', id: 'x', result: { content: [] } });
    await resumed.ended;
    expect(dataOf(resumed)).toEqual([2, 'x']);
  });

  it('without an event store: no ids, no priming, Last-Event-ID ignored', async () => {
    const started = await startHttp(
      (t) => {
        t.onmessage = (m) => {
          if (isRequest(m) && m.method === 'initialize') {
            void t.send({
              jsonrpc: '2.0',
              id: m.id,
              result: {
                protocolVersion: '2025-11-25',
                capabilities: {},
                serverInfo: { name: 'r', version: '1' },
              },
            });
          }
        };
        void t.start();
      },
      { eventStore: false, responseMode: 'json' },
    );
    cleanups.push(() => started.listener.close({ graceMs: 100 }));
    const init = await post(started.url, {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'r', version: '1' } },
    });
    const stream = await openSse(started.url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': init.headers['mcp-session-id'] as string,
        'last-event-id': '0-3',
      },
    });
    cleanups.push(() => Promise.resolve(stream.close()));
    expect(stream.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(stream.events).toEqual([]);
  });
});

describe('MemoryEventStore', () => {
  it('replays per stream after a cursor and forgets dropped streams and sessions', () => {
    const store = new MemoryEventStore();
    store.append('s1', 1, 1, 'a');
    store.append('s1', 1, 2, 'b');
    store.append('s1', 2, 1, 'other');
    store.append('s2', 1, 1, 'foreign');
    expect(store.replay('s1', 1, 1)).toEqual([{ seq: 2, data: 'b' }]);
    expect(store.replay('s1', 1, 0).map((e) => e.data)).toEqual(['a', 'b']);
    store.dropStream('s1', 1);
    expect(store.replay('s1', 1, 0)).toEqual([]);
    expect(store.replay('s1', 2, 0)).toHaveLength(1);
    store.dropSession('s1');
    expect(store.replay('s1', 2, 0)).toEqual([]);
    expect(store.replay('s2', 1, 0)).toHaveLength(1);
  });

  it('stays within its byte bound, evicting the oldest events first', () => {
    const store = new MemoryEventStore({ maxBytes: 10_000 });
    const payload = 'x'.repeat(936); // 1000 bytes with the bookkeeping overhead
    for (let i = 1; i <= 1000; i++) {
      store.append(`s${i % 7}`, i % 3, i, payload);
      expect(store.size).toBeLessThanOrEqual(10_000);
      if (i % 50 === 0) store.dropStream(`s${i % 7}`, i % 3);
    }
    const kept = [0, 1, 2, 3, 4, 5, 6].flatMap((s) =>
      [0, 1, 2].flatMap((st) => store.replay(`s${s}`, st, 0).map((e) => e.seq)),
    );
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(Math.min(...kept)).toBeGreaterThan(980); // only the newest survive
    store.append('big', 1, 1, 'y'.repeat(20_000)); // larger than the whole bound: not stored
    expect(store.replay('big', 1, 0)).toEqual([]);
  });
});
