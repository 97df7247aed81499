/**
 * How the fuzz suites (and scripts/fuzz-random.ts) hit a running `switchboard serve` with hostile input
 * on each of its entry points, and how they check, after each case, that it still serves normally.
 *
 * Every hostile case on a stream transport ends with a `ping` *on the same connection*: the connection
 * survived the garbage and the process still answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';

/** Generous: the fuzz suites must pass on a busy machine. */
export const REPLY_MS = 30_000;

let seq = 0;
/** A fresh, unique probe id (garbage never contains it). */
export function probeId(): string {
  return `probe-${process.pid}-${++seq}-${Date.now()}`;
}

/** A ping request with `id`, as an NDJSON line. */
export function pingLine(id: string): Buffer {
  return Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })}\n`);
}

/**
 * Collects NDJSON (or SSE `data:`) replies and resolves waiters by id. Lines that are not JSON or carry
 * another id are ignored: hostile input legitimately draws error answers.
 */
export class ReplyWaiter {
  #buffered = '';
  readonly #waiting = new Map<string, { resolve: (m: unknown) => void; reject: (e: Error) => void }>();
  #closed: Error | undefined;

  /** Feeds received text (any chunking). */
  feed(text: string): void {
    this.#buffered += text;
    let nl: number;
    while ((nl = this.#buffered.indexOf('\n')) !== -1) {
      const line = this.#buffered.slice(0, nl).replace(/^data: ?/, '');
      this.#buffered = this.#buffered.slice(nl + 1);
      this.#line(line);
    }
  }

  /** The peer went away: every waiter fails. */
  close(reason: Error): void {
    this.#closed = reason;
    for (const w of this.#waiting.values()) w.reject(reason);
    this.#waiting.clear();
  }

  /** Resolves with the message carrying `id`; rejects on close or after `ms`. */
  reply(id: string, ms = REPLY_MS): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`no reply to ${id} within ${ms} ms`));
      }, ms);
      this.#waiting.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  #line(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    const id = (message as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const w = this.#waiting.get(id);
    if (w === undefined) return;
    this.#waiting.delete(id);
    w.resolve(message);
  }
}

/** Opens a TCP or Unix connection and wires a {@link ReplyWaiter} to it. */
export async function openLineSocket(
  where: { port: number; host: string } | { path: string },
): Promise<{ socket: net.Socket; replies: ReplyWaiter }> {
  const socket = net.connect(where as net.NetConnectOpts);
  const replies = new ReplyWaiter();
  socket.setEncoding('utf8');
  socket.on('data', (t: string) => replies.feed(t));
  socket.on('close', () => replies.close(new Error('the server closed the connection')));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, replies };
}

/**
 * One hostile case on a TCP/Unix frontend: garbage, a line break, then a ping on the same connection,
 * which must be answered.
 */
export async function hitSocket(
  where: { port: number; host: string } | { path: string },
  garbage: Buffer,
): Promise<void> {
  const { socket, replies } = await openLineSocket(where);
  try {
    const id = probeId();
    const answered = replies.reply(id);
    socket.write(Buffer.concat([garbage, Buffer.from('\n'), pingLine(id)]));
    await answered;
  } finally {
    socket.destroy();
  }
}

/** One hostile case on a WebSocket frontend: garbage as a text or binary message, then a ping. */
export async function hitWebSocket(url: string, garbage: Buffer, binary: boolean): Promise<void> {
  const ws = new WebSocket(url, 'mcp');
  const replies = new ReplyWaiter();
  ws.on('message', (data: Buffer) => replies.feed(`${data.toString('utf8')}\n`));
  ws.on('close', () => replies.close(new Error('the server closed the WebSocket')));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  try {
    const id = probeId();
    const answered = replies.reply(id);
    ws.send(binary ? garbage : garbage.toString('utf8'), { binary });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }));
    await answered;
  } finally {
    ws.terminate();
  }
}

/** An HTTP exchange over a fresh connection; resolves with the status once the body ended. */
export function httpExchange(
  url: URL,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false, timeout: REPLY_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.href} within ${REPLY_MS} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** One hostile POST on the Streamable HTTP endpoint (either era); it must get an HTTP answer. */
export async function hitHttp(url: URL, body: string, modern: boolean): Promise<number> {
  const headers = modern ? { ...JSON_HEADERS, 'mcp-protocol-version': '2026-07-28' } : JSON_HEADERS;
  const { status } = await httpExchange(url, { method: 'POST', headers, body });
  return status;
}

/**
 * A raw legacy HTTP+SSE session (`GET /sse`): hostile POSTs go to its endpoint, and a ping POSTed after
 * each must come back on the stream.
 */
export class LegacySseSession {
  readonly #replies = new ReplyWaiter();
  #endpoint: URL | undefined;
  #req: http.ClientRequest | undefined;

  static async open(sseUrl: URL): Promise<LegacySseSession> {
    const session = new LegacySseSession();
    await session.#open(sseUrl);
    return session;
  }

  /** Posts garbage; resolves with the status. */
  async post(body: string): Promise<number> {
    const { status } = await httpExchange(this.#endpoint as URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return status;
  }

  /** Posts a ping; resolves once its answer arrived on the stream. */
  async ping(): Promise<void> {
    const id = probeId();
    const answered = this.#replies.reply(id);
    await this.post(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }));
    await answered;
  }

  close(): void {
    this.#req?.destroy();
  }

  #open(sseUrl: URL): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.get(sseUrl, { headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
        res.setEncoding('utf8');
        let head = '';
        res.on('data', (t: string) => {
          if (this.#endpoint === undefined) {
            head += t;
            const m = /event: endpoint\r?\ndata: ([^\r\n]+)\r?\n/.exec(head);
            if (m?.[1] === undefined) return;
            this.#endpoint = new URL(m[1], sseUrl);
            resolve();
            this.#replies.feed(head.slice((m.index ?? 0) + m[0].length));
            return;
          }
          this.#replies.feed(t);
        });
        res.on('close', () => this.#replies.close(new Error('the SSE stream closed')));
      });
      req.on('error', reject);
      this.#req = req;
    });
  }
}

/**
 * One hostile request on an HTTP-speaking listener: the raw bytes, then the write side is closed (so a
 * request cut short ends now, not at a timeout); waits until the server is done with the connection.
 */
export async function hitRawHttp(port: number, request: Buffer): Promise<void> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  socket.resume();
  await new Promise<void>((resolve) => {
    socket.once('connect', () => {
      socket.end(request);
    });
    socket.once('close', () => resolve());
    // Bounded: a server that keeps the connection open (keep-alive) is not a failure.
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 5_000).unref();
  });
}

/** A `serve --listen stdio:` child whose stdin/stdout the test speaks on directly. */
export interface StdioServe {
  proc: ChildProcess;
  stderr: string[];
  hit(garbage: Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** Spawns `serve --listen stdio:` (demo backend); `hit()` writes garbage then a ping on its stdin. */
export function startStdioServe(cli: string, args: string[] = []): StdioServe {
  const proc = spawn(
    process.execPath,
    [cli, 'serve', '--listen', 'stdio:', '--log-format', 'json', ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const replies = new ReplyWaiter();
  const stderr: string[] = [];
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (t: string) => replies.feed(t));
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (t: string) => stderr.push(t));
  proc.stdin?.on('error', () => undefined);
  proc.once('exit', (code, signal) =>
    replies.close(
      new Error(`serve --listen stdio: exited (${code ?? signal}): ${stderr.join('').slice(-500)}`),
    ),
  );
  return {
    proc,
    stderr,
    async hit(garbage) {
      const id = probeId();
      const answered = replies.reply(id);
      proc.stdin?.write(Buffer.concat([garbage, Buffer.from('\n'), pingLine(id)]));
      await answered;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.stdin?.end();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Hostile output from a backend's stdout: through a `serve` whose backend is the scripted peer
 * (test/fixtures/scripted-peer.mjs), each case asks it to print garbage and then the answer to the
 * request; the answer must arrive. One connection (one backend child) serves every case.
 */
export class BackendStdoutLink {
  readonly #socket: net.Socket;
  readonly #replies: ReplyWaiter;

  private constructor(socket: net.Socket, replies: ReplyWaiter) {
    this.#socket = socket;
    this.#replies = replies;
  }

  static async open(where: { port: number; host: string }): Promise<BackendStdoutLink> {
    const { socket, replies } = await openLineSocket(where);
    return new BackendStdoutLink(socket, replies);
  }

  async hit(garbage: string): Promise<void> {
    const id = probeId();
    const answer = JSON.stringify({ jsonrpc: '2.0', id, result: { ok: true } });
    const answered = this.#replies.reply(id);
    this.#socket.write(
      `${JSON.stringify({ jsonrpc: '2.0', id, method: 'emit', params: { raw: `${garbage}\n${answer}\n` } })}\n`,
    );
    await answered;
  }

  close(): void {
    this.#socket.destroy();
  }
}
