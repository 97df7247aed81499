import http from 'node:http';
import type net from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect, listen } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import type { Listener, ListenerOptions } from '../../src/listener.js';
import type { ListenOptions } from '../../src/endpoint/scheme.js';
import { isRequest, type JSONRPCMessage } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';
import { WebSocketTransport } from '../../src/transports/websocket-transport.js';
import { isOriginAllowed } from '../../src/transports/websocket-origin.js';
import { eventually, serveEach } from './socket-pairs.js';

const listeners: Listener[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await Promise.allSettled(listeners.splice(0).map((l) => l.close({ graceMs: 200 })));
});

/** An echo listener: every request is answered with its params; frame errors are collected. */
async function echoListener(
  options: ListenOptions & Partial<ListenerOptions> = {},
): Promise<{ listener: Listener; serverErrors: Error[]; accepted: Transport[] }> {
  const serverErrors: Error[] = [];
  const accepted: Transport[] = [];
  const listener = await listen('ws://127.0.0.1:0/mcp', {
    ...options,
    onConnection: (t) => {
      accepted.push(t);
      t.onerror = (e) => serverErrors.push(e);
      t.onmessage = (m) => {
        if (isRequest(m)) {
          void t
            .send({ jsonrpc: '2.0', id: m.id, result: { echo: m.params ?? null } })
            .catch(() => undefined);
        }
      };
      void t.start();
    },
  });
  listeners.push(listener);
  return { listener, serverErrors, accepted };
}

/** Opens a raw `ws` client and resolves once open, or with the HTTP status of a refused upgrade. */
function rawClient(
  url: string,
  options: { protocols?: string[]; origin?: string; autoPong?: boolean } = {},
): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? ['mcp'], {
      ...(options.origin ? { origin: options.origin } : {}),
      autoPong: options.autoPong ?? true,
    });
    cleanups.push(() => ws.terminate());
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    ws.once('error', reject);
  });
}

/** Closes a raw ws server, dropping its clients (ws 8 leaves them open otherwise). */
function closeServer(wss: WebSocketServer): Promise<void> {
  for (const c of wss.clients) c.terminate();
  return new Promise<void>((r) => wss.close(() => r()));
}

function nextMessage(ws: WebSocket): Promise<{ data: JSONRPCMessage; isBinary: boolean }> {
  return new Promise((resolve) =>
    ws.once('message', (data: Buffer, isBinary) =>
      resolve({ data: JSON.parse(data.toString()) as JSONRPCMessage, isBinary }),
    ),
  );
}

describe('WebSocket upgrade checks', () => {
  it('refuses a foreign Origin with 403 and reports it; loopback and absent Origins pass', async () => {
    const { listener } = await echoListener();
    const errors: Error[] = [];
    const l2 = await listen('ws://127.0.0.1:0/mcp', {
      onConnection: (t) => void t.start(),
      onError: (e) => errors.push(e),
    });
    listeners.push(l2);
    expect(await rawClient(l2.url, { origin: 'https://evil.example' })).toEqual({ status: 403 });
    await eventually(() =>
      errors.some((e) => e instanceof SwitchboardError && e.code === 'CONNECTION_REJECTED'),
    );
    expect('ws' in (await rawClient(listener.url, { origin: 'http://localhost:5173' }))).toBe(true);
    expect('ws' in (await rawClient(listener.url, { origin: 'http://127.0.0.1:8080' }))).toBe(true);
    expect('ws' in (await rawClient(listener.url))).toBe(true);
    // Our own client reports the refusal with its status.
    const t = connect(listener.url, { websocket: { origin: 'https://evil.example' } });
    await expect(t.start()).rejects.toMatchObject({ code: 'CONNECTION_REJECTED', details: { status: 403 } });
  });

  it('with an allow-list, accepts exactly the listed origins', async () => {
    const { listener } = await echoListener({ websocket: { allowedOrigins: ['https://app.example.com'] } });
    expect('ws' in (await rawClient(listener.url, { origin: 'https://app.example.com' }))).toBe(true);
    expect(await rawClient(listener.url, { origin: 'http://localhost:3000' })).toEqual({ status: 403 });
    expect(await rawClient(listener.url, { origin: 'https://app.example.com.evil.example' })).toEqual({
      status: 403,
    });
  });

  it('isOriginAllowed: loopback by default, exact allow-list, wildcard', () => {
    expect(isOriginAllowed(undefined)).toBe(true);
    expect(isOriginAllowed('http://[::1]:9000')).toBe(true);
    expect(isOriginAllowed('null')).toBe(false);
    expect(isOriginAllowed('http://localhost.evil.example')).toBe(false);
    expect(isOriginAllowed('https://App.Example.com:443', ['https://app.example.com'])).toBe(true);
    expect(isOriginAllowed('https://evil.example', ['*'])).toBe(true);
  });

  it('serves the endpoint path and / alike; other paths get 404', async () => {
    const { listener } = await echoListener();
    expect(listener.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const root = listener.url.replace(/\/mcp$/, '/');
    expect('ws' in (await rawClient(listener.url))).toBe(true);
    expect('ws' in (await rawClient(root))).toBe(true);
    expect(await rawClient(listener.url.replace(/\/mcp$/, '/other'))).toEqual({ status: 404 });
  });

  it('requires subprotocol mcp when subprotocols are offered; answers plain GET with 426', async () => {
    const { listener } = await echoListener();
    expect(await rawClient(listener.url, { protocols: ['graphql-ws'] })).toEqual({ status: 400 });
    const opened = await rawClient(listener.url, { protocols: ['graphql-ws', 'mcp'] });
    expect('ws' in opened && opened.ws.protocol).toBe('mcp');
    const status = await new Promise<number>((resolve, reject) =>
      http
        .get(listener.url.replace(/^ws/, 'http'), (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject),
    );
    expect(status).toBe(426);
  });

  it('refuses upgrades beyond maxConnections with 503', async () => {
    const { listener } = await echoListener({ maxConnections: 1 });
    expect('ws' in (await rawClient(listener.url))).toBe(true);
    await eventually(() => listener.connectionCount === 1);
    expect(await rawClient(listener.url)).toEqual({ status: 503 });
  });
});

describe('WebSocket frames', () => {
  it('an oversized frame closes that connection with 1009; other connections carry on', async () => {
    const { listener, serverErrors } = await echoListener({ maxMessageBytes: 1024 });
    const a = await rawClient(listener.url);
    const b = connect(listener.url);
    cleanups.push(() => b.close());
    const atB: JSONRPCMessage[] = [];
    b.onmessage = (m) => atB.push(m);
    await b.start();
    if (!('ws' in a)) throw new Error('not open');
    const closeCode = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)));
    a.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'big', params: { x: 'y'.repeat(4096) } }));
    expect(await closeCode).toBe(1009);
    await eventually(() => serverErrors.some((e) => (e as SwitchboardError).code === 'FRAME_TOO_LARGE'));
    await b.send({ jsonrpc: '2.0', id: 2, method: 'still', params: { ok: true } });
    await eventually(() => atB.length === 1);
    expect(atB[0]).toEqual({ jsonrpc: '2.0', id: 2, result: { echo: { ok: true } } });
  });

  it('our client closes with 1009 on an oversized incoming message and says why', async () => {
    const listener = await listen('ws://127.0.0.1:0/', {
      onConnection: (t) =>
        void t
          .start()
          .then(() =>
            t.send({ jsonrpc: '2.0', method: 'notifications/big', params: { x: 'y'.repeat(4096) } }),
          )
          .catch(() => undefined),
    });
    listeners.push(listener);
    const client = new WebSocketTransport({ url: listener.url, maxMessageBytes: 1024 });
    const errors: Error[] = [];
    client.onerror = (e) => errors.push(e);
    const closed = new Promise<void>((r) => (client.onclose = r));
    await client.start();
    await closed;
    expect(client.closeReason).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { closeCode: 1009 } });
    expect(errors.some((e) => (e as SwitchboardError).code === 'FRAME_TOO_LARGE')).toBe(true);
  });

  it('invalid frames follow the frame-error policy and do not end the connection', async () => {
    const { listener, serverErrors } = await echoListener();
    const opened = await rawClient(listener.url);
    if (!('ws' in opened)) throw new Error('not open');
    const { ws } = opened;
    // A broken request whose id is recoverable is answered with a JSON-RPC parse error.
    const reply = nextMessage(ws);
    ws.send('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{');
    expect((await reply).data).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32700 } });
    // Garbage without an id is only reported; the connection keeps working.
    ws.send('not json at all');
    await eventually(() => serverErrors.length >= 2);
    const next = nextMessage(ws);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ok' }));
    expect(await next).toEqual({ data: { jsonrpc: '2.0', id: 8, result: { echo: null } }, isBinary: false });
  });
});

describe('WebSocket keep-alive and backpressure', () => {
  it('drops a peer that stops answering pings; a live peer stays', async () => {
    const { listener, accepted, serverErrors } = await echoListener({ websocket: { pingIntervalMs: 100 } });
    const live = await rawClient(listener.url);
    const dead = await rawClient(listener.url, { autoPong: false });
    if (!('ws' in live) || !('ws' in dead)) throw new Error('not open');
    const deadClosed = new Promise<number>((resolve) => dead.ws.once('close', (code) => resolve(code)));
    expect(await deadClosed).toBe(1006);
    await eventually(() =>
      serverErrors.some((e) => (e as SwitchboardError).details.reason === 'ping-timeout'),
    );
    // Several intervals later the answering peer is still connected and served.
    await new Promise((r) => setTimeout(r, 400));
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    expect(accepted.length).toBe(2);
    expect(listener.connectionCount).toBe(1);
  });

  it('send() rejects with WRITE_FAILED once maxQueuedBytes wait for a stalled peer', async () => {
    let serverSide: WebSocket | undefined;
    const listener = await listen('ws://127.0.0.1:0/', {
      onConnection: (t) => {
        serverSide = (t as unknown as { transport: WebSocketTransport }).transport.socket;
        void t.start().then(() => serverSide?.pause());
      },
    });
    listeners.push(listener);
    const client = new WebSocketTransport({
      url: listener.url,
      sendHighWaterMark: 1024,
      maxQueuedBytes: 1024 * 1024,
    });
    cleanups.push(() => client.close());
    await client.start();
    await eventually(() => serverSide?.isPaused === true);
    const payload = 'p'.repeat(256 * 1024);
    let failure: unknown;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 2_000 && failure === undefined; i++) {
      sends.push(
        client.send({ jsonrpc: '2.0', method: 'fill', params: { i, payload } }).catch((e: unknown) => {
          failure ??= e;
        }),
      );
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(failure).toMatchObject({ code: 'WRITE_FAILED' });
    serverSide?.resume();
    await Promise.all(sends);
  });
});

describe('SDK v1 WebSocketClientTransport', () => {
  it('connects to our listener (subprotocol mcp) and calls a tool with progress', async () => {
    const g = globalThis as { WebSocket?: unknown };
    const hadWebSocket = 'WebSocket' in g;
    // Node 20 has no global WebSocket without a flag; the SDK transport uses the global one. The stand-in
    // dispatches one message per task as the WHATWG WebSocket does (ws would otherwise emit all frames
    // of one read synchronously, a race inside the SDK transport that loses the last progress update).
    if (!hadWebSocket) {
      g.WebSocket = class extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols, { allowSynchronousEvents: false });
        }
      };
    }
    cleanups.push(() => {
      if (!hadWebSocket) delete g.WebSocket;
    });
    const served = await serveEach('ws://127.0.0.1:0/mcp', createDemoServer);
    listeners.push(served.listener);
    const client = new Client({ name: 'sdk-ws', version: '1.0.0' });
    cleanups.push(() => client.close());
    await client.connect(new WebSocketClientTransport(new URL(served.listener.url)));
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'countdown', arguments: { steps: 3, delayMs: 5 } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect((result.content as { text: string }[])[0]?.text).toBe('counted down 3 steps');
    expect(progress).toEqual([1, 2, 3]);
    expect((served.accepted[0]?.transport as WebSocketTransport).socket?.protocol).toBe('mcp');
  });

  it('our client speaks what that transport expects: subprotocol mcp, one JSON text frame per message', async () => {
    const frames: { text: string; isBinary: boolean }[] = [];
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: (p) => (p.has('mcp') ? 'mcp' : false),
    });
    cleanups.push(() => closeServer(wss));
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) => {
      ws.on('message', (data: Buffer, isBinary) => {
        frames.push({ text: data.toString(), isBinary });
        const m = JSON.parse(data.toString()) as JSONRPCMessage;
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: {} }));
      });
    });
    const port = (wss.address() as net.AddressInfo).port;
    const client = new WebSocketTransport({ url: `ws://127.0.0.1:${port}/` });
    cleanups.push(() => client.close());
    const replies: JSONRPCMessage[] = [];
    client.onmessage = (m) => replies.push(m);
    await client.start();
    expect(client.socket?.protocol).toBe('mcp');
    await client.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await client.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await eventually(() => replies.length === 2);
    expect(frames).toEqual([
      { text: '{"jsonrpc":"2.0","id":1,"method":"ping"}', isBinary: false },
      { text: '{"jsonrpc":"2.0","id":2,"method":"ping"}', isBinary: false },
    ]);
  });

  it('our client refuses a server that does not select subprotocol mcp', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => false });
    cleanups.push(() => closeServer(wss));
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as net.AddressInfo).port;
    const client = new WebSocketTransport({ url: `ws://127.0.0.1:${port}/` });
    await expect(client.start()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  });
});
