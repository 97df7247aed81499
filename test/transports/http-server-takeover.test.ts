/**
 * The HTTP listener's side of shared session state, with a scripted session directory (the Redis one is
 * exercised end to end in test/e2e/takeover.test.ts): a POST stream's headers wait for its journal
 * entry; a taken-over session numbers its streams from its owner epoch, continues inherited streams
 * above every earlier id, waits for the answers a backend still owes, runs again (or refuses) the calls
 * nobody will answer, and refuses to resume a stream it does not have.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionInfo } from '../../src/listener.js';
import { isRequest, type JSONRPCMessage, type RequestId } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';
import { EPOCH_SPAN } from '../../src/transports/http/server/event-store.js';
import { MemoryEventStore } from '../../src/transports/http/server/memory-event-store.js';
import type {
  PendingRequest,
  SessionDirectory,
  SessionSnapshot,
} from '../../src/transports/http/server/session-directory.js';
import { openSse, post, request, startHttp, until, type SseStream } from '../fixtures/http-server-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PROTOCOL = '2025-11-25';

/** A directory whose journal is recorded, and whose `requestStarted` the test can hold. */
function scriptedDirectory(snapshot?: SessionSnapshot) {
  const started: PendingRequest[] = [];
  const done: RequestId[] = [];
  let hold: { promise: Promise<void>; release: () => void } | undefined;
  const directory: SessionDirectory = {
    journal: {
      opened: () => undefined,
      initialized: () => undefined,
      requestStarted: (_sessionId, request) => {
        started.push(request);
        return request.method === 'initialize' ? undefined : hold?.promise;
      },
      requestDone: (_sessionId, id) => void done.push(id),
      ended: () => undefined,
    },
    locate: (sessionId) =>
      Promise.resolve(
        snapshot?.sessionId === sessionId ? { action: 'adopt', snapshot } : { action: 'unknown' },
      ),
    forward: () => Promise.resolve(false),
  };
  return {
    directory,
    started,
    done,
    holdJournal() {
      let release!: () => void;
      const promise = new Promise<void>((r) => (release = r));
      hold = { promise, release };
      return release;
    },
  };
}

/** A raw backend behind the listener: answers initialize and ping; the rest is up to the test. */
async function serve(
  directory: SessionDirectory,
  onRequest: (m: JSONRPCMessage & { id: RequestId }, t: Transport) => void,
  onInfo: (info: ConnectionInfo) => void = () => undefined,
  more: { maxSseBufferedBytes?: number } = {},
) {
  let transport: Transport | undefined;
  const store = new MemoryEventStore();
  const started = await startHttp(
    (t, info) => {
      transport = t;
      onInfo(info);
      t.onmessage = (m) => {
        if (!isRequest(m)) return;
        if (m.method === 'initialize') {
          void t.send({
            jsonrpc: '2.0',
            id: m.id,
            result: {
              protocolVersion: PROTOCOL,
              capabilities: {},
              serverInfo: { name: 'raw', version: '1' },
            },
          });
        } else if (m.method === 'ping') void t.send({ jsonrpc: '2.0', id: m.id, result: {} });
        else onRequest(m, t);
      };
      void t.start();
    },
    {
      responseMode: 'sse',
      retryMs: 250,
      eventStore: store,
      sessionDirectory: directory,
      ...more,
    },
  );
  cleanups.push(() => started.listener.close({ graceMs: 100 }));
  return { ...started, store, transport: () => transport as Transport };
}

const headers = (session: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': PROTOCOL,
  'mcp-session-id': session,
  ...extra,
});

const callOf = (id: number, name: string) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});

const payloads = (s: SseStream): Record<string, unknown>[] =>
  s.events.filter((e) => e.data !== '').map((e) => JSON.parse(e.data) as Record<string, unknown>);

describe('shared session state at the HTTP listener', () => {
  it('holds a POST stream’s headers until its journal entry is durable, then sends priming and answer', async () => {
    const d = scriptedDirectory();
    let call: { id: RequestId; t: Transport } | undefined;
    const s = await serve(d.directory, (m, t) => (call = { id: m.id, t }));
    const init = await post(
      s.url,
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      },
      { accept: 'application/json, text/event-stream', 'mcp-protocol-version': PROTOCOL },
    );
    const sid = init.headers['mcp-session-id'] as string;
    expect(init.status).toBe(200);

    const release = d.holdJournal();
    let opened = false;
    const stream = openSse(s.url, {
      method: 'POST',
      headers: headers(sid),
      body: JSON.stringify(callOf(7, 'x')),
    });
    void stream.then(() => (opened = true));
    // The request goes to the backend at once; its answer comes before the journal settles.
    await until(() => call !== undefined, 20_000, 'the call to reach the backend');
    await call?.t.send({ jsonrpc: '2.0', id: 7, result: { content: [] } });
    // A JSON exchange on another connection completes meanwhile; the held stream has sent nothing.
    const ping = await post(
      s.url,
      { jsonrpc: '2.0', id: 8, method: 'ping' },
      headers(sid, { accept: 'application/json' }),
    );
    expect(ping.status).toBe(200);
    expect(opened).toBe(false);
    // The journal got the request with its stream and its text.
    const entry = d.started.find((r) => r.id === 7);
    expect(entry).toMatchObject({ method: 'tools/call', streamId: 2 });
    expect(JSON.parse(entry?.message ?? 'null')).toEqual(callOf(7, 'x'));

    release();
    const sse = await stream;
    await sse.ended;
    expect(sse.status).toBe(200);
    expect(sse.events.map((e) => e.id)).toEqual(['2-1', '2-2']);
    expect(sse.events[0]?.data).toBe('');
    expect(payloads(sse)).toEqual([{ jsonrpc: '2.0', id: 7, result: { content: [] } }]);
  });

  it('keeps what a held stream would send bounded, and sends nothing to a client that left meanwhile', async () => {
    const d = scriptedDirectory();
    const backend: { t?: Transport | undefined } = {};
    const current = (): Transport | undefined => backend.t;
    const s = await serve(d.directory, (_m, transport) => (backend.t = transport), undefined, {
      maxSseBufferedBytes: 4096,
    });
    const init = await post(
      s.url,
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      },
      { accept: 'application/json, text/event-stream', 'mcp-protocol-version': PROTOCOL },
    );
    const sid = init.headers['mcp-session-id'] as string;
    const release = d.holdJournal();
    // Beyond the bound, a held stream starts at once rather than keep more (the journal never settled).
    const big = openSse(s.url, {
      method: 'POST',
      headers: headers(sid),
      body: JSON.stringify(callOf(1, 'x')),
    });
    await until(() => backend.t !== undefined, 20_000, 'the call');
    const note = (n: number) => ({
      jsonrpc: '2.0' as const,
      method: 'notifications/message',
      params: { level: 'info', data: 'x'.repeat(1000) + String(n) },
    });
    for (let n = 0; n < 5; n++) await current()?.send(note(n), { relatedRequestId: 1 });
    const started = await big;
    await started.waitFor(6);
    expect(started.events[0]?.data).toBe('');
    // A client that leaves while its stream is held: nothing is written for it, the answer is
    // stored for a resumption, the session goes on.
    const release2 = d.holdJournal();
    backend.t = undefined;
    const req = http.request(s.url, { method: 'POST', headers: headers(sid), agent: false });
    let answered = false;
    req.on('response', () => (answered = true)).on('error', () => undefined);
    req.end(JSON.stringify(callOf(2, 'x')));
    await until(() => backend.t !== undefined, 20_000, 'the second call');
    req.destroy();
    await current()?.send({ jsonrpc: '2.0', id: 2, result: { content: [] } });
    release2();
    release();
    const ping = await post(
      s.url,
      { jsonrpc: '2.0', id: 3, method: 'ping' },
      headers(sid, { accept: 'application/json' }),
    );
    expect(ping.status).toBe(200);
    expect(answered).toBe(false);
    const stream = d.started.find((r) => r.id === 2)?.streamId as number;
    expect(s.store.replay(sid, stream, 0).map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { jsonrpc: '2.0', id: 2, result: { content: [] } },
    ]);
    expect(s.errors).toEqual([]);
  });

  it('takes a session over: epoch numbering, answers still owed, calls run again or refused, unknown streams refused', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const snapshot: SessionSnapshot = {
      sessionId: 'taken-over-1',
      owner: undefined,
      protocolVersion: PROTOCOL,
      initialize: JSON.stringify(initialize),
      initialized: true,
      epoch: 2,
      lastSeq: { 3: 2 },
      previousOwner: 'gone-1',
      pending: [
        // Reached a backend that keeps it: its answer is still owed.
        { id: 5, method: 'tools/call', streamId: 3, forwarded: true },
        // Never reached a backend that keeps it: read-only (run again), side effects (refused), text lost.
        { id: 9, method: 'tools/call', streamId: 4, message: JSON.stringify(callOf(9, 'reader')) },
        { id: 10, method: 'tools/call', streamId: 5, message: JSON.stringify(callOf(10, 'writer')) },
        { id: 11, method: 'tools/call', streamId: 6 },
      ],
    };
    const d = scriptedDirectory(snapshot);
    const seen: string[] = [];
    let resumed: ConnectionInfo['resumedRequests'];
    const s = await serve(
      d.directory,
      (m, t) => {
        seen.push(`${String(m.method)}:${String(m.id)}`);
        if (m.method === 'tools/list') {
          void t.send({
            jsonrpc: '2.0',
            id: m.id,
            result: {
              tools: [
                { name: 'reader', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
                { name: 'writer', inputSchema: { type: 'object' } },
              ],
            },
          });
        } else if (m.method === 'tools/call' && m.id === 9) {
          void t.send({ jsonrpc: '2.0', id: 9, result: { content: [{ type: 'text', text: 'read again' }] } });
        } else if (m.method === 'tools/call' && m.id === 12) {
          void t.send({ jsonrpc: '2.0', id: 12, result: { content: [] } });
        }
      },
      (info) => (resumed = info.resumedRequests),
    );
    const sid = snapshot.sessionId;
    const get = (lastEventId: string) =>
      openSse(s.url, {
        headers: { ...headers(sid, { 'last-event-id': lastEventId }), accept: 'text/event-stream' },
      });

    // The client resumes the stream whose answer the backend still owes: this takes the session over.
    const owed = await get('3-2');
    expect(owed.status).toBe(200);
    expect(resumed).toEqual([snapshot.pending[0]]);
    // Orphans: the read-only one runs again and answers on its own stream; the others are refused.
    const reader = await get('4-1');
    await reader.ended;
    expect(payloads(reader)).toEqual([
      { jsonrpc: '2.0', id: 9, result: { content: [{ type: 'text', text: 'read again' }] } },
    ]);
    // Events added to an inherited stream continue above everything earlier owners handed out.
    expect(Number(reader.events[0]?.id?.split('-')[1])).toBe(2 * EPOCH_SPAN + 1);
    const writer = await get('5-1');
    await writer.ended;
    expect(payloads(writer)).toEqual([
      {
        jsonrpc: '2.0',
        id: 10,
        error: {
          code: -32000,
          message:
            'Gateway instance gone-1 died while handling "tools/call"; not run again: tool "writer" is not annotated readOnlyHint or idempotentHint',
          data: { code: 'INSTANCE_LOST', instance: 'gone-1' },
        },
      },
    ]);
    const untold = await get('6-1');
    await untold.ended;
    expect(payloads(untold)).toMatchObject([
      {
        id: 11,
        error: { message: expect.stringMatching(/not run again: its text was not kept/) as unknown },
      },
    ]);
    expect(seen).toEqual(['tools/list:switchboard-takeover-tools-1', 'tools/call:9']);

    // The answer still owed arrives from the backend and ends its stream.
    await s.transport().send({ jsonrpc: '2.0', id: 5, result: { content: [] } });
    await owed.ended;
    expect(payloads(owed)).toEqual([{ jsonrpc: '2.0', id: 5, result: { content: [] } }]);
    expect(owed.events[0]?.id).toBe(`3-${2 * EPOCH_SPAN + 1}`);

    // A new stream of this owner is numbered from its epoch.
    const fresh = await openSse(s.url, {
      method: 'POST',
      headers: headers(sid),
      body: JSON.stringify(callOf(12, 'reader')),
    });
    await fresh.ended;
    expect(fresh.events[0]?.id).toBe(`${2 * EPOCH_SPAN + 1}-1`);
    expect(payloads(fresh)).toEqual([{ jsonrpc: '2.0', id: 12, result: { content: [] } }]);

    // A stream no owner of this session opened (here: the number an earlier owner would have used
    // next) is refused with 400, never answered with another stream's events.
    const unknown = await request(s.url, {
      headers: { ...headers(sid, { 'last-event-id': '7-1' }), accept: 'text/event-stream' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({
      error: {
        message: expect.stringContaining('names stream 7, which this session cannot resume') as unknown,
      },
    });
    // A finished stream is still resumable (its events are kept): only its own answer.
    const again = await get('4-1');
    await again.ended;
    expect(payloads(again).map((m) => m.id)).toEqual([9]);
    expect([...d.done].sort((x, y) => Number(x) - Number(y))).toEqual([5, 9, 10, 11, 12]);
  });

  it('resumes an inherited stream on a POST that repeats its requests, text for text; refuses anything else', async () => {
    const progress = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 't5', progress: 1 },
    });
    const call5 = {
      ...callOf(5, 'slow'),
      params: { name: 'slow', arguments: {}, _meta: { progressToken: 't5' } },
    };
    const snapshot: SessionSnapshot = {
      sessionId: 'taken-over-2',
      owner: undefined,
      protocolVersion: PROTOCOL,
      initialize: undefined,
      initialized: true,
      epoch: 1,
      lastSeq: { 3: 1 },
      previousOwner: 'gone-2',
      pending: [
        // The dead owner journaled both, and they reached a backend that keeps them; no event of
        // stream 4 was sent before it died.
        {
          id: 5,
          method: 'tools/call',
          streamId: 3,
          progressToken: 't5',
          forwarded: true,
          message: JSON.stringify(call5),
        },
        {
          id: 8,
          method: 'tools/call',
          streamId: 4,
          forwarded: true,
          message: JSON.stringify(callOf(8, 'slow')),
        },
      ],
    };
    const d = scriptedDirectory(snapshot);
    const s = await serve(d.directory, () => undefined);
    // What the dead owner stored on stream 3 before it died (the client never saw it).
    s.store.append(snapshot.sessionId, 3, 1, progress);
    const sid = snapshot.sessionId;
    const postSse = (body: unknown) =>
      openSse(s.url, { method: 'POST', headers: headers(sid), body: JSON.stringify(body) });

    // The same POST again takes the session over and resumes stream 3: the stored event, then the answer.
    const again = await postSse(call5);
    expect(again.status).toBe(200);
    await until(() => again.events.length >= 1);
    await s.transport().send({ jsonrpc: '2.0', id: 5, result: { content: [] } });
    await again.ended;
    expect(payloads(again)).toEqual([
      JSON.parse(progress),
      { jsonrpc: '2.0', id: 5, result: { content: [] } },
    ]);
    expect(again.events[0]?.id).toBe('3-1');
    expect(again.events[1]?.id).toBe(`3-${EPOCH_SPAN + 1}`);

    // Another text under an inherited id is another request: refused as in flight.
    const other = await request(s.url, {
      method: 'POST',
      headers: headers(sid),
      body: JSON.stringify(callOf(8, 'other-tool')),
    });
    expect(other.status).toBe(409);
    expect(other.json()).toMatchObject({ error: { message: 'Request id 8 is already in flight' } });
    // Its own text resumes it; a second copy while the first is attached is refused.
    const eight = await postSse(callOf(8, 'slow'));
    expect(eight.status).toBe(200);
    const twice = await request(s.url, {
      method: 'POST',
      headers: headers(sid),
      body: JSON.stringify(callOf(8, 'slow')),
    });
    expect(twice.status).toBe(409);
    await s.transport().send({ jsonrpc: '2.0', id: 8, result: { content: [] } });
    await eight.ended;
    expect(payloads(eight)).toEqual([{ jsonrpc: '2.0', id: 8, result: { content: [] } }]);
    // Answered: the id is free again and starts a new call of this owner.
    const fresh = await postSse(callOf(5, 'slow'));
    expect(fresh.status).toBe(200);
    await until(() => d.started.some((r) => r.id === 5));
    expect(fresh.events.every((e) => !e.id?.startsWith('3-'))).toBe(true);
  });
});
