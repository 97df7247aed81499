/**
 * Opening a session is limited like any request: the rate limit covers legacy `GET /sse` and WebSocket
 * upgrades, and the WebSocket connection cap holds under concurrent upgrades that wait on authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuthenticateResult } from '../../src/transports/http/server/options.js';
import { listenWebSocket } from '../../src/transports/websocket-listener.js';
import { startCountingBackend, startServe, type CountingBackend } from './harness.js';

let backend: CountingBackend;
beforeAll(async () => {
  backend = await startCountingBackend();
});
afterAll(async () => {
  await backend.close();
});

/** Opens `GET /sse`; returns its status and a function that ends the stream. */
async function openSse(url: string): Promise<{ status: number; retryAfter: string | null; end: () => void }> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    end: () => controller.abort(),
  };
}

/** Tries one upgrade: `open` (then closed) or the HTTP status of the refusal. */
function upgrade(url: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'mcp');
    ws.on('open', () => {
      resolve('open');
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

describe('--rate-limit covers every route that opens a session', () => {
  it('legacy GET /sse: beyond the burst, 429 with Retry-After', async () => {
    const serve = await startServe(backend.uri, { security: { rateLimit: { rate: 0.1, burst: 2 } } });
    const sse = new URL('/sse', serve.url).href;
    const opened: { end: () => void }[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const stream = await openSse(sse);
        opened.push(stream);
        expect(stream.status).toBe(200);
      }
      const refused = await openSse(sse);
      opened.push(refused);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    } finally {
      for (const s of opened) s.end();
      await serve.close();
    }
  });

  it('WebSocket upgrades: beyond the burst, 429', async () => {
    const serve = await startServe(backend.uri, {
      listen: ['ws://127.0.0.1:0/mcp'],
      security: { rateLimit: { rate: 0.1, burst: 2 } },
    });
    try {
      expect(await upgrade(serve.url)).toBe('open');
      expect(await upgrade(serve.url)).toBe('open');
      expect(await upgrade(serve.url)).toBe(429);
    } finally {
      await serve.close();
    }
  });
});

describe('the WebSocket connection cap holds while authentication is pending', () => {
  it('20 concurrent upgrades against maxConnections 5: exactly 5 open, 15 refused with 503', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let pending = 0;
    let refusedAtCap = 0;
    const listener = await listenWebSocket({
      host: '127.0.0.1',
      port: 0,
      maxConnections: 5,
      onConnection: (t) => void t.start(),
      onError: (e) => {
        if (/maxConnections/.test(e.message)) refusedAtCap++;
      },
      authenticate: async () => {
        pending++;
        await gate;
        return {};
      },
    });
    try {
      const sockets: WebSocket[] = [];
      const outcomes = Array.from(
        { length: 20 },
        () =>
          new Promise<number | 'open'>((resolve) => {
            const ws = new WebSocket(listener.url, 'mcp');
            sockets.push(ws);
            ws.on('open', () => resolve('open'));
            ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
            ws.on('error', () => resolve(0));
          }),
      );
      // Every upgrade has reached the listener: waiting on authentication, or refused at the cap.
      const deadline = Date.now() + 20_000;
      while (pending + refusedAtCap < 20 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(pending + refusedAtCap).toBe(20);
      release();
      const results = await Promise.all(outcomes);
      expect(results.filter((r) => r === 'open')).toHaveLength(5);
      expect(results.filter((r) => r === 503)).toHaveLength(15);
      expect(listener.connectionCount).toBe(5);
      for (const ws of sockets) ws.terminate();
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });

  it('a refused or abandoned upgrade gives its slot back', async () => {
    const listener = await listenWebSocket({
      host: '127.0.0.1',
      port: 0,
      maxConnections: 1,
      onConnection: (t) => void t.start(),
      authenticate: (req): AuthenticateResult =>
        req.headers.authorization === 'Bearer ok' ? {} : { reject: { status: 401, message: 'Unauthorized' } },
    });
    try {
      for (let i = 0; i < 3; i++) expect(await upgrade(listener.url)).toBe(401);
      const ok = await new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(listener.url, 'mcp', { headers: { authorization: 'Bearer ok' } });
        ws.on('open', () => {
          resolve('open');
          ws.close();
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
      expect(ok).toBe('open');
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });
});
