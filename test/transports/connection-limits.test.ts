/**
 * What bounds one client on a listener: the shared buffer budget (the sum of incomplete frames over all
 * connections), and the deadlines that reclaim silent and dribbling connections. Socket, WebSocket and
 * HTTP listeners, with real sockets on 127.0.0.1.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SwitchboardError } from '../../src/errors.js';
import { BufferBudget } from '../../src/framing/buffer-budget.js';
import type { Listener } from '../../src/listener.js';
import { isRequestId } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';
import { listenHttp } from '../../src/transports/http/server/http-listener.js';
import { listenSocket } from '../../src/transports/socket-listener.js';
import { listenWebSocket } from '../../src/transports/websocket-listener.js';
import { httpExchange, openLineSocket, ReplyWaiter } from '../fuzz/serve-targets.js';

const listeners: Listener[] = [];
const sockets: { destroy(): void }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.allSettled(listeners.splice(0).map((l) => l.close({ graceMs: 0 })));
});

/** Answers every request with an empty result. */
function echoServer(errors: Error[]): (t: Transport) => void {
  return (t) => {
    t.onmessage = (m) => {
      const id: unknown = m.id;
      if (typeof m.method === 'string' && isRequestId(id))
        void t.send({ jsonrpc: '2.0', id, result: {} }).catch(() => undefined);
    };
    t.onerror = (e) => errors.push(e);
    void t.start();
  };
}

const closed = (s: net.Socket | WebSocket): Promise<void> =>
  new Promise((resolve) => {
    if (
      (s instanceof net.Socket && s.destroyed) ||
      (s instanceof WebSocket && s.readyState === WebSocket.CLOSED)
    )
      resolve();
    else s.once('close', () => resolve());
  });

const requestHead = (id: string): string => `{"jsonrpc":"2.0","id":"${id}","method":"ping","params":{"pad":"`;

describe('shared buffer budget', () => {
  it('socket listener: the connection that does not fit is answered and closed; the others go on', async () => {
    const budget = new BufferBudget(256 * 1024);
    const errors: Error[] = [];
    const listener = await listenSocket({
      target: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      maxMessageBytes: 1024 * 1024,
      bufferBudget: budget,
      onConnection: echoServer(errors),
    });
    listeners.push(listener);
    const where = { host: '127.0.0.1', port: Number(new URL(listener.url).port) };
    const a = await openLineSocket(where);
    const b = await openLineSocket(where);
    sockets.push(a.socket, b.socket);
    // A holds 200 KiB of an unfinished request: within the budget.
    a.socket.write(requestHead('a1') + 'x'.repeat(200 * 1024));
    await waitUntil(() => budget.used >= 200 * 1024);
    // B's 100 KiB would exceed it: B gets an error answer and is closed.
    const bAnswer = b.replies.reply('b1');
    b.socket.write(requestHead('b1') + 'y'.repeat(100 * 1024));
    const refusal = (await bAnswer) as { error: { code: number; data: { code: string } } };
    expect(refusal.error.data.code).toBe('BUFFER_BUDGET_EXCEEDED');
    await closed(b.socket);
    // A finishes its request and is answered; a new connection is served as well.
    const aAnswer = a.replies.reply('a1');
    a.socket.write('"}}\n');
    expect(await aAnswer).toMatchObject({ id: 'a1', result: {} });
    const c = await openLineSocket(where);
    sockets.push(c.socket);
    const cAnswer = c.replies.reply('c1');
    c.socket.write('{"jsonrpc":"2.0","id":"c1","method":"ping"}\n');
    expect(await cAnswer).toMatchObject({ id: 'c1' });
    expect(budget.used).toBe(0);
    expect(errors.some((e) => (e as SwitchboardError).code === 'BUFFER_BUDGET_EXCEEDED')).toBe(true);
  });

  it('WebSocket listener: the connection whose partial message does not fit is closed with 1013', async () => {
    const budget = new BufferBudget(256 * 1024);
    const listener = await listenWebSocket({
      host: '127.0.0.1',
      port: 0,
      bufferBudget: budget,
      onConnection: echoServer([]),
    });
    listeners.push(listener);
    const a = await openRawWebSocket(listener.url);
    const b = await openRawWebSocket(listener.url);
    sockets.push(a.socket, b.socket);
    // Fragmented text messages: a first fragment without FIN, never finished.
    a.socket.write(maskedFrame(0x1, false, Buffer.alloc(200 * 1024, 0x61)));
    await waitUntil(() => budget.used >= 200 * 1024);
    b.socket.write(maskedFrame(0x1, false, Buffer.alloc(100 * 1024, 0x62)));
    expect(await b.closeCode).toBe(1013);
    // A is still open: it finishes its message (a ping request) and is answered.
    const good = new WebSocket(listener.url, 'mcp');
    const replies = new ReplyWaiter();
    good.on('message', (d: Buffer) => replies.feed(`${d.toString()}\n`));
    await new Promise((r) => good.once('open', r));
    const answered = replies.reply('g1');
    good.send('{"jsonrpc":"2.0","id":"g1","method":"ping"}');
    expect(await answered).toMatchObject({ id: 'g1' });
    good.close();
    expect(a.socket.destroyed).toBe(false);
  });

  it('HTTP listener: a body that does not fit gets 503; other requests are served', async () => {
    const budget = new BufferBudget(256 * 1024);
    const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), {
      bufferBudget: budget,
      maxMessageBytes: 1024 * 1024,
      onConnection: echoServer([]),
    });
    listeners.push(listener);
    const url = new URL(listener.url);
    // A request whose body (declared 300 KiB) is sent in part and held open.
    const slow = net.connect(Number(url.port), '127.0.0.1');
    sockets.push(slow);
    slow.on('error', () => undefined);
    slow.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: ${300 * 1024}\r\n\r\n` +
        'z'.repeat(200 * 1024),
    );
    await waitUntil(() => budget.used >= 200 * 1024);
    const big = await httpExchange(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'ping',
        params: { pad: 'p'.repeat(100 * 1024) },
      }),
    });
    expect(big.status).toBe(503);
    const small = await httpExchange(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(small.status).not.toBe(503);
  });
});

describe('frame deadlines', () => {
  it('socket listener: silent and dribbling connections are closed; a talking one stays', async () => {
    const errors: Error[] = [];
    const listener = await listenSocket({
      target: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      firstFrameTimeoutMs: 300,
      frameTimeoutMs: 300,
      onConnection: echoServer(errors),
    });
    listeners.push(listener);
    const where = { host: '127.0.0.1', port: Number(new URL(listener.url).port) };
    const talking = await openLineSocket(where);
    const silent = await openLineSocket(where);
    sockets.push(talking.socket, silent.socket);
    const answered = talking.replies.reply('t1');
    talking.socket.write('{"jsonrpc":"2.0","id":"t1","method":"ping"}\n');
    await answered;
    await closed(silent.socket);
    expect(talking.socket.destroyed).toBe(false);
    // Now the talking one starts a message and dribbles it: closed once it takes too long.
    const timer = setInterval(() => talking.socket.write('x'), 50);
    try {
      talking.socket.write('{"jsonrpc":"2.0","id":"t2","method":"ping","params":{"x":"');
      await closed(talking.socket);
    } finally {
      clearInterval(timer);
    }
    const deadlines = (): unknown[] =>
      errors
        .filter((e) => (e as SwitchboardError).code === 'FRAME_TIMEOUT')
        .map((e) => (e as SwitchboardError).details.deadline);
    // The server reports once its side of the close is done, which may be after ours.
    await waitUntil(() => deadlines().length === 2);
    expect(deadlines().sort()).toEqual(['first-frame', 'frame']);
  });

  it('WebSocket listener: a silent connection is closed with 1008; a talking one stays', async () => {
    const listener = await listenWebSocket({
      host: '127.0.0.1',
      port: 0,
      firstFrameTimeoutMs: 300,
      frameTimeoutMs: 300,
      onConnection: echoServer([]),
    });
    listeners.push(listener);
    const talking = new WebSocket(listener.url, 'mcp');
    const replies = new ReplyWaiter();
    talking.on('message', (d: Buffer) => replies.feed(`${d.toString()}\n`));
    await new Promise((r) => talking.once('open', r));
    const silent = await openRawWebSocket(listener.url);
    sockets.push(silent.socket, { destroy: () => talking.terminate() });
    const answered = replies.reply('t1');
    talking.send('{"jsonrpc":"2.0","id":"t1","method":"ping"}');
    await answered;
    expect(await silent.closeCode).toBe(1008);
    expect(talking.readyState).toBe(WebSocket.OPEN);
    // A fragment that is never finished: closed by the per-message deadline.
    const dribbling = await openRawWebSocket(listener.url);
    sockets.push(dribbling.socket);
    dribbling.socket.write(maskedFrame(0x1, false, Buffer.from('{"jsonrpc":"2.0","id":"d1",')));
    expect(await dribbling.closeCode).toBe(1008);
  });
});

async function waitUntil(predicate: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A client frame (masked, as RFC 6455 requires of clients) with the given opcode and FIN bit. */
function maskedFrame(opcode: number, fin: boolean, payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len])
      : len < 65_536
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 127]), u64(len)]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([head, mask, body]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/**
 * A WebSocket client on a raw socket (so the test writes exactly the frames it wants); `closeCode`
 * resolves with the code of the server's close frame (0 if the socket ended without one).
 */
async function openRawWebSocket(url: string): Promise<{ socket: net.Socket; closeCode: Promise<number> }> {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), '127.0.0.1');
  socket.on('error', () => undefined);
  let received = Buffer.alloc(0);
  let upgraded = false;
  let resolveCode!: (code: number) => void;
  const closeCode = new Promise<number>((resolve) => (resolveCode = resolve));
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!received.subarray(0, 12).toString().includes('101')) reject(new Error(received.toString()));
        upgraded = true;
        received = received.subarray(end + 4);
        resolve();
      }
      // Server frames are unmasked; look for a close frame (opcode 8) at the start of what is left.
      while (received.length >= 2) {
        const opcode = (received[0] as number) & 0x0f;
        const len = (received[1] as number) & 0x7f;
        if (len >= 126 || received.length < 2 + len) return;
        if (opcode === 0x8) resolveCode(len >= 2 ? received.readUInt16BE(2) : 1005);
        received = received.subarray(2 + len);
      }
    });
    socket.on('close', () => resolveCode(0));
  });
  socket.write(
    `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mcp\r\n\r\n',
  );
  await opened;
  return { socket, closeCode };
}
