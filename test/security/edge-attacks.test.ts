import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiKeyStore } from '../../src/security/api-keys.js';
import {
  initializeRequest,
  openSession,
  post,
  startCountingBackend,
  startServe,
  type CountingBackend,
} from './harness.js';

const KEY = 'k-basic-0123456789abcdef';
const ADMIN = 'k-admin-0123456789abcdef';

let backend: CountingBackend;
let serve: Awaited<ReturnType<typeof startServe>>;
let wsUrl: string;

beforeAll(async () => {
  backend = await startCountingBackend();
  serve = await startServe(backend.uri, {
    listen: ['http://127.0.0.1:0/mcp', 'ws://127.0.0.1:0/mcp'],
    maxMessageBytes: 4096,
    security: {
      apiKeys: {
        keys: [
          { id: 'basic', key: KEY, scopes: ['tools:basic'] },
          { id: 'admin', key: ADMIN, scopes: ['tools:basic', 'tools:admin'] },
        ],
      },
      policy: {
        rules: [
          { scopes: ['tools:basic'], tools: ['echo'], prompts: [] },
          { scopes: ['tools:admin'], tools: ['*'], resources: ['*'], prompts: ['*'] },
        ],
      },
      rateLimit: { rate: 100, burst: 100, tools: { add: { rate: 0.2, burst: 2 } } },
      http: { headersTimeout: '1s', requestTimeout: '2s' },
    },
  });
  wsUrl = serve.urls[1] ?? '';
});

afterAll(async () => {
  await serve.close();
  await backend.close();
});

/** Snapshot of what the backend saw, to assert that a refusal reached nothing. */
function untouched(): () => void {
  const connections = backend.connections;
  const received = backend.received.length;
  return () => {
    expect(backend.connections).toBe(connections);
    expect(backend.received.slice(received)).toEqual([]);
  };
}

const call = (id: number, name: string, args: Record<string, unknown> = {}): Record<string, unknown> => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

describe('API keys', () => {
  it('accepts the right key (control case)', async () => {
    const check = untouched();
    const reply = await post(serve.url, initializeRequest(), { 'x-api-key': KEY });
    expect(reply.status).toBe(200);
    expect(() => check()).toThrow(); // the backend was reached
  });

  for (const [name, headers] of [
    ['wrong key', { 'x-api-key': 'k-basic-0123456789abcdeX' }],
    ['empty key', { 'x-api-key': '' }],
    ['key in another case', { 'x-api-key': KEY.toUpperCase() }],
    ['prefix of a valid key', { 'x-api-key': KEY.slice(0, -1) }],
    ['valid key in the wrong header', { 'x-api-token': KEY }],
    ['hash of the key instead of the key', { 'x-api-key': 'sha256:' + 'a'.repeat(64) }],
    ['no credentials at all', {}],
  ] as const) {
    it(`refuses: ${name}`, async () => {
      const check = untouched();
      const reply = await post(serve.url, initializeRequest(), headers);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toContain('ApiKey header="x-api-key"');
      expect(reply.text).not.toContain(KEY);
      check();
    });
  }

  it('refuses a key given in the query string', async () => {
    const check = untouched();
    const reply = await post(`${serve.url}?api_key=${KEY}`, initializeRequest());
    expect(reply.status).toBe(400);
    check();
  });

  it('compares in constant time over every stored digest (timing-safe path)', () => {
    const store = new ApiKeyStore([
      { id: 'a', key: 'a'.repeat(32) },
      { id: 'b', key: 'b'.repeat(32) },
      { id: 'c', key: `sha256:${'0'.repeat(64)}` },
    ]);
    // Same length, one character off, at the start and at the end: both refused, no partial match.
    expect(store.verify(`x${'a'.repeat(31)}`)).toBeUndefined();
    expect(store.verify(`${'a'.repeat(31)}x`)).toBeUndefined();
    expect(store.verify('a'.repeat(64))).toBeUndefined();
    expect(store.verify('b'.repeat(32))?.id).toBe('b');
    expect(() => new ApiKeyStore([{ key: 'short' }])).toThrow(/shorter than 16/);
  });
});

describe('authorization policy and rate limits (HTTP edge)', () => {
  it('refuses a tool outside the caller’s scopes with 403 insufficient_scope, nothing reaches the backend', async () => {
    const headers = await session({ 'x-api-key': KEY });
    const check = untouched();
    const reply = await post(serve.url, call(2, 'add', { a: 1, b: 2 }), headers);
    expect(reply.status).toBe(403);
    const challenge = reply.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="tools:admin"');
    expect((reply.json().error as { code: number }).code).toBe(-32003);
    check();
  });

  it('refuses a prompt and a resource the rules do not grant', async () => {
    const headers = await session({ 'x-api-key': KEY });
    const check = untouched();
    const prompt = await post(
      serve.url,
      { jsonrpc: '2.0', id: 3, method: 'prompts/get', params: { name: 'greet', arguments: { name: 'x' } } },
      headers,
    );
    const resource = await post(
      serve.url,
      { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'file:///etc/passwd' } },
      headers,
    );
    expect([prompt.status, resource.status]).toEqual([403, 403]);
    check();
  });

  it('filters tools/list to what the caller may call', async () => {
    const headers = await session({ 'x-api-key': KEY });
    const reply = await post(serve.url, { jsonrpc: '2.0', id: 5, method: 'tools/list' }, headers);
    const body = (
      reply.text.startsWith('{') ? reply.json() : JSON.parse(/data: (.*)/.exec(reply.text)?.[1] ?? '{}')
    ) as Record<string, unknown>;
    const tools = (body.result as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools).toEqual(['echo']);
    const admin = await session({ 'x-api-key': ADMIN });
    const all = await post(serve.url, { jsonrpc: '2.0', id: 6, method: 'tools/list' }, admin);
    expect(all.text).toContain('"add"');
  });

  it('rate limit exceeded: 429 with Retry-After, the refused call never reaches the backend', async () => {
    const headers = await session({ 'x-api-key': ADMIN });
    expect((await post(serve.url, call(7, 'add', { a: 1, b: 1 }), headers)).status).toBe(200);
    expect((await post(serve.url, call(8, 'add', { a: 1, b: 1 }), headers)).status).toBe(200);
    const check = untouched();
    const reply = await post(serve.url, call(9, 'add', { a: 1, b: 1 }), headers);
    expect(reply.status).toBe(429);
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(
      (reply.json().error as { code: number; data: { retryAfterMs: number } }).data.retryAfterMs,
    ).toBeGreaterThan(0);
    check();
  });
});

describe('Origin, Host and size limits', () => {
  for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example', 'file://']) {
    it(`refuses Origin ${origin}`, async () => {
      const check = untouched();
      const reply = await post(serve.url, initializeRequest(), { 'x-api-key': KEY, origin });
      expect(reply.status).toBe(403);
      check();
    });
  }

  for (const host of ['evil.example', 'attacker.test:80', '127.0.0.1.nip.io']) {
    it(`refuses Host ${host} (DNS rebinding)`, async () => {
      const check = untouched();
      const status = await rawStatus(
        `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nx-api-key: ${KEY}\r\ncontent-type: application/json\r\n` +
          `accept: application/json, text/event-stream\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
      );
      expect(status).toBe(403);
      check();
    });
  }

  it('refuses an oversized body (413)', async () => {
    const check = untouched();
    const reply = await post(
      serve.url,
      { ...initializeRequest(), pad: 'x'.repeat(8192) },
      { 'x-api-key': KEY },
    );
    expect(reply.status).toBe(413);
    check();
  });

  it('refuses an oversized chunked body (413) without a Content-Length', async () => {
    const check = untouched();
    const chunk = 'x'.repeat(6000);
    const status = await rawStatus(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${KEY}\r\ncontent-type: application/json\r\n` +
        `accept: application/json, text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n` +
        `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(status).toBe(413);
    check();
  });

  it('refuses a header flood (431)', async () => {
    const check = untouched();
    const flood = Array.from({ length: 400 }, (_, i) => `x-flood-${i}: ${'v'.repeat(60)}\r\n`).join('');
    const status = await rawStatus(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n${flood}content-length: 0\r\n\r\n`,
    );
    expect(status).toBe(431);
    check();
  });

  it('drops a slowloris connection (headers never finished) after the headers timeout', async () => {
    const check = untouched();
    const { port } = new URL(serve.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${KEY}\r\n`);
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString()));
    const drip = setInterval(() => socket.write('x-drip: 1\r\n'), 200);
    const closedAt = await new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    clearInterval(drip);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAt).toBeGreaterThan(0);
    check();
  });
});

describe('WebSocket frontend: authentication at the upgrade', () => {
  const upgrade = (headers: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, ['mcp'], { headers });
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('error', reject);
    });

  it('refuses an upgrade without credentials (401)', async () => {
    const check = untouched();
    expect(await upgrade({})).toBe(401);
    check();
  });

  it('refuses an upgrade with a wrong key (401)', async () => {
    const check = untouched();
    expect(await upgrade({ 'x-api-key': 'nope-nope-nope-nope-nope' })).toBe(401);
    check();
  });

  it('refuses a foreign Origin at the upgrade (403)', async () => {
    const check = untouched();
    expect(await upgrade({ 'x-api-key': KEY, origin: 'https://evil.example' })).toBe(403);
    check();
  });

  it('enforces the policy on WebSocket sessions with a JSON-RPC error', async () => {
    const ws = new WebSocket(wsUrl, ['mcp'], { headers: { 'x-api-key': KEY } });
    const replies: Record<string, unknown>[] = [];
    ws.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify(initializeRequest(1)));
    await until(() => replies.length >= 1);
    const check = untouched();
    ws.send(JSON.stringify(call(2, 'add', { a: 1, b: 2 })));
    await until(() => replies.length >= 2);
    expect((replies[1]?.error as { code: number }).code).toBe(-32003);
    check();
    ws.close();
  });
});

/** Opens a session and waits until the backend has seen its `notifications/initialized`. */
async function session(headers: Record<string, string>): Promise<Record<string, string>> {
  const count = (): number => backend.received.filter((m) => m === 'notifications/initialized').length;
  const before = count();
  const next = await openSession(serve.url, headers);
  await until(() => count() > before);
  return next;
}

async function until(predicate: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends raw bytes to the HTTP frontend and returns the status of the answer. */
function rawStatus(request: string): Promise<number> {
  const { port } = new URL(serve.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (c: Buffer) => {
      data += c.toString();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' && data === '' ? reject(e) : undefined,
    );
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer: ${data}`));
    });
  });
}
