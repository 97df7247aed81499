import https from 'node:https';
import net from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import { testCerts } from '../fixtures/certs.js';
import {
  captureLog,
  initializeRequest,
  post,
  startCountingBackend,
  startServe,
  type CountingBackend,
} from './harness.js';

let backend: CountingBackend;

beforeAll(async () => {
  backend = await startCountingBackend();
});

afterAll(async () => {
  await backend.close();
});

/** A raw NDJSON client on a TCP frontend. */
async function tcpClient(
  url: string,
): Promise<{ request(m: object): Promise<Record<string, unknown>>; close(): void }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered = '';
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  socket.on('data', (c: Buffer) => {
    buffered += c.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return {
    request: (m) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        socket.write(`${JSON.stringify(m)}\n`);
      }),
    close: () => socket.destroy(),
  };
}

describe('rate limit on a TCP frontend: a JSON-RPC error, nothing relayed', () => {
  it('the request beyond the burst is refused with -32004 and data.retryAfterMs', async () => {
    // Burst 3: opening the connection (a session) takes one token, initialize and ping the others.
    const serve = await startServe(backend.uri, {
      listen: ['tcp://127.0.0.1:0'],
      security: { rateLimit: { rate: 0.2, burst: 3 } },
    });
    const client = await tcpClient(serve.url);
    try {
      expect((await client.request(initializeRequest(1))).result).toBeDefined();
      expect((await client.request({ jsonrpc: '2.0', id: 2, method: 'ping' })).result).toBeDefined();
      const seen = backend.received.length;
      const refused = await client.request({ jsonrpc: '2.0', id: 3, method: 'ping' });
      const error = refused.error as { code: number; data: { retryAfterMs: number; code: string } };
      expect(error.code).toBe(-32004);
      expect(error.data.code).toBe('RATE_LIMITED');
      expect(error.data.retryAfterMs).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(backend.received.slice(seen)).toEqual([]);
    } finally {
      client.close();
      await serve.close();
    }
  });
});

describe('--require-auth fails closed', () => {
  it('refuses every caller when no scheme is configured (missing or any bearer), backend untouched', async () => {
    const serve = await startServe(backend.uri, { security: { requireAuth: true } });
    try {
      const before = backend.connections;
      const missing = await post(serve.url, initializeRequest());
      const bearer = await post(serve.url, initializeRequest(), { authorization: 'Bearer anything-at-all' });
      const key = await post(serve.url, initializeRequest(), { 'x-api-key': 'anything-at-all-0123' });
      expect([missing.status, bearer.status, key.status]).toEqual([401, 401, 401]);
      expect(backend.connections).toBe(before);
    } finally {
      await serve.close();
    }
  });

  it('refuses to start a tcp:// frontend, which cannot authenticate callers', async () => {
    const error = await startServe(backend.uri, {
      listen: ['tcp://127.0.0.1:0'],
      security: { requireAuth: true },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe('INVALID_OPTIONS');
  });
});

describe('JWT secret from SWITCHBOARD_JWT_SECRET; secrets stay out of logs', () => {
  it('accepts an HS256 token signed with the secret, refuses one signed with another, and never logs either', async () => {
    const secret = 'an-hmac-secret-of-at-least-32-bytes!!';
    const previous = process.env.SWITCHBOARD_JWT_SECRET;
    process.env.SWITCHBOARD_JWT_SECRET = secret;
    const log = captureLog();
    const serve = await startServe(backend.uri, {}, log.logger).finally(() => {
      if (previous === undefined) delete process.env.SWITCHBOARD_JWT_SECRET;
      else process.env.SWITCHBOARD_JWT_SECRET = previous;
    });
    try {
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: 'alice', aud: serve.url, iat: now, exp: now + 600 };
      const good = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(secret));
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
      const before = backend.connections;
      expect((await post(serve.url, initializeRequest(), { authorization: `Bearer ${forged}` })).status).toBe(
        401,
      );
      expect(backend.connections).toBe(before);
      expect((await post(serve.url, initializeRequest(), { authorization: `Bearer ${good}` })).status).toBe(
        200,
      );
      const text = JSON.stringify(log.lines());
      expect(text).toContain('authentication refused');
      expect(text).not.toContain(forged.split('.')[2] ?? 'x');
      expect(text).not.toContain(good.split('.')[2] ?? 'x');
      expect(text).not.toContain(secret);
    } finally {
      await serve.close();
    }
  });
});

describe('HSTS and security headers on an https:// listener', () => {
  it('sends Strict-Transport-Security over TLS (and nosniff, frame-ancestors, no-store)', async () => {
    const certs = await testCerts();
    const listener = await listen('https://127.0.0.1:0/mcp', {
      onConnection: () => undefined,
      tls: { cert: certs.server.cert, key: certs.server.key },
    });
    try {
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        const req = https.request(listener.url, { method: 'GET', ca: certs.ca }, (res) => {
          res.resume();
          resolve(res.headers);
        });
        req.on('error', reject);
        req.end();
      });
      expect(headers['strict-transport-security']).toBe('max-age=63072000');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['cache-control']).toBe('no-store');
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });
});
