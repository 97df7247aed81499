/**
 * Configured authentication holds on every frontend: frontends that cannot carry a token refuse to
 * start (unless explicitly opted out), a WebSocket connection ends when its token expires, and sessions
 * are bound to the issuer and subject together.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SwitchboardError } from '../../src/errors.js';
import { runCli } from '../cli/cli-runner.js';
import {
  captureLog,
  initializeRequest,
  openSession,
  post,
  startCountingBackend,
  startServe,
  type CountingBackend,
} from './harness.js';

const secret = 'an-hmac-secret-of-at-least-32-bytes!!';
const key = new TextEncoder().encode(secret);

let backend: CountingBackend;
beforeAll(async () => {
  backend = await startCountingBackend();
});
afterAll(async () => {
  await backend.close();
});

async function token(claims: Record<string, unknown>, lifetimeSec = 600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + lifetimeSec, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(key);
}

async function startError(promise: Promise<{ close(): Promise<void> }>): Promise<SwitchboardError> {
  const outcome = await promise.then(
    async (serve) => {
      await serve.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(SwitchboardError);
  return outcome as SwitchboardError;
}

describe('authentication configured: frontends that carry no token refuse to start', () => {
  const schemes = {
    jwt: { jwt: { secret } },
    'api keys': { apiKeys: { keys: [{ id: 'ci', key: 'a-key-of-16-chars-or-more' }] } },
  };
  for (const [what, security] of Object.entries(schemes)) {
    for (const uri of ['tcp://127.0.0.1:0', 'tls://127.0.0.1:0']) {
      it(`${what} + ${uri} (no client CA) → INVALID_OPTIONS naming the opt-in`, async () => {
        const error = await startError(startServe(backend.uri, { listen: [uri], security }));
        expect(error.code).toBe('INVALID_OPTIONS');
        expect(error.message).toContain(`--allow-unauthenticated-frontend ${uri}`);
      });
    }
  }

  it('an explicit opt-in starts it, with a warning', async () => {
    const log = captureLog();
    const serve = await startServe(
      backend.uri,
      {
        listen: ['http://127.0.0.1:0/mcp', 'tcp://127.0.0.1:0'],
        security: { jwt: { secret }, allowUnauthenticatedFrontends: ['tcp://127.0.0.1:0'] },
      },
      log.logger,
    );
    try {
      expect(log.lines().some((l) => l.frontend === 'tcp://127.0.0.1:0' && l.level === 40)).toBe(true);
    } finally {
      await serve.close();
    }
  });

  it('an opt-in naming no --listen URI is a usage error (a typo must not pass silently)', async () => {
    const error = await startError(
      startServe(backend.uri, {
        listen: ['tcp://127.0.0.1:0'],
        security: { jwt: { secret }, allowUnauthenticatedFrontends: ['tcp://127.0.0.1:1'] },
      }),
    );
    expect(error.message).toMatch(/not one of the --listen URIs/);
  });

  it('unix:// (owner-only socket) and ws:// (token at the upgrade) start; ws refuses an upgrade without a token', async () => {
    const socketPath = `/tmp/sb-auth-${process.pid}-${Date.now()}.sock`;
    const serve = await startServe(backend.uri, {
      listen: ['ws://127.0.0.1:0/mcp', `unix://${socketPath}`],
      security: { jwt: { secret } },
    });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(serve.url, 'mcp');
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('upgraded without a token')));
        ws.on('error', () => undefined);
      });
      expect(status).toBe(401);
    } finally {
      await serve.close();
    }
  });

  it('CLI: serve --listen tcp://… with --jwt-secret exits 2 with one line', async () => {
    const run = await runCli(['serve', '--listen', 'tcp://127.0.0.1:0', '--jwt-secret', secret], {
      timeoutMs: 30_000,
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--allow-unauthenticated-frontend');
  }, 90_000);
});

describe('a WebSocket connection ends when its token expires', () => {
  it('works before exp, then is closed with 1008 "token expired" (no clock skew configured)', async () => {
    const serve = await startServe(backend.uri, {
      listen: ['ws://127.0.0.1:0/mcp'],
      security: { jwt: { secret, clockSkew: 0 } },
    });
    try {
      const lifetime = 3;
      const jwt = await token({ sub: 'alice', aud: serve.url }, lifetime);
      const exp = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { exp: number };
      const ws = new WebSocket(serve.url, 'mcp', { headers: { authorization: `Bearer ${jwt}` } });
      const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
        ws.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
      );
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const answer = new Promise<Record<string, unknown>>((resolve) =>
        ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Record<string, unknown>)),
      );
      ws.send(JSON.stringify(initializeRequest(1)));
      expect((await answer).result).toBeDefined();
      const result = await closed;
      expect(result.code).toBe(1008);
      expect(result.reason).toBe('token expired');
      expect(result.at).toBeGreaterThanOrEqual(exp.exp * 1000 - 50);
    } finally {
      await serve.close();
    }
  }, 30_000);
});

describe('sessions are bound to (issuer, subject), and tokens without a subject to themselves', () => {
  it('the same sub from another issuer cannot use the session; a token without sub/client_id is its own principal', async () => {
    const issuers = ['https://a.example', 'https://b.example'];
    const serve = await startServe(backend.uri, { security: { jwt: { secret, issuer: issuers } } });
    try {
      const alice = await token({ sub: 'alice', iss: issuers[0], aud: serve.url });
      const otherAlice = await token({ sub: 'alice', iss: issuers[1], aud: serve.url });
      const session = await openSession(serve.url, { authorization: `Bearer ${alice}` });
      const ping = { jsonrpc: '2.0', id: 9, method: 'ping' };
      expect((await post(serve.url, ping, session)).status).toBe(200);
      expect(
        (await post(serve.url, ping, { ...session, authorization: `Bearer ${otherAlice}` })).status,
      ).toBe(404);

      const anon1 = await token({ iss: issuers[0], aud: serve.url, jti: 'one' });
      const anon2 = await token({ iss: issuers[0], aud: serve.url, jti: 'two' });
      const anonSession = await openSession(serve.url, { authorization: `Bearer ${anon1}` });
      expect((await post(serve.url, ping, anonSession)).status).toBe(200);
      expect((await post(serve.url, ping, { ...anonSession, authorization: `Bearer ${anon2}` })).status).toBe(
        404,
      );
    } finally {
      await serve.close();
    }
  });
});
