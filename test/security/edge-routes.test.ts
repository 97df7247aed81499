/**
 * Health, readiness, metrics and OAuth metadata routes sit behind the same edge as the MCP endpoint:
 * Host/Origin checks on the HTTP frontend and on the admin server, `/metrics` behind authentication
 * when authentication is configured, `/healthz` open to load balancers but telling nothing.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServe } from '../../src/cli/serve/run-serve.js';
import { freePort } from '../e2e/processes.js';
import {
  initializeRequest,
  post,
  rawGet,
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

const metricsOn = { observability: { metrics: true, processMetrics: false } };
const ROUTES = ['/healthz', '/readyz', '/metrics'];

async function withServe(
  config: Record<string, unknown>,
  body: (serve: RunningServe & { url: string }, admin: string) => Promise<void>,
): Promise<void> {
  const adminPort = await freePort();
  const serve = await startServe(backend.uri, {
    ...metricsOn,
    adminBind: `127.0.0.1:${adminPort}`,
    ...config,
  });
  try {
    await body(serve, `http://127.0.0.1:${adminPort}`);
  } finally {
    await serve.close();
  }
}

describe('Host and Origin are checked on health and metrics routes (HTTP frontend and --admin-bind)', () => {
  it('a rebinding Host or a foreign Origin gets 403 and no data; a loopback caller gets the route', async () => {
    await withServe({}, async (serve, admin) => {
      for (const base of [new URL(serve.url).origin, admin]) {
        for (const route of ROUTES) {
          const rebinding = await rawGet(`${base}${route}`, { host: 'attacker.example:80' });
          expect(rebinding.status, `${base}${route} Host`).toBe(403);
          expect(rebinding.text).not.toMatch(/switchboard_|"status"/);
          const foreign = await rawGet(`${base}${route}`, { origin: 'https://attacker.example' });
          expect(foreign.status, `${base}${route} Origin`).toBe(403);
          expect(foreign.text).not.toMatch(/switchboard_|"status"/);
          expect((await rawGet(`${base}${route}`)).status, `${base}${route}`).toBe(200);
        }
        // A page on a loopback origin (the local tools a loopback bind serves) still may.
        expect((await rawGet(`${base}/healthz`, { origin: 'http://localhost:5173' })).status).toBe(200);
      }
    });
  });
});

describe('/metrics needs authentication when authentication is configured; /healthz does not', () => {
  const key = 'metrics-scraper-key-0123456789';

  it('API keys: /metrics is 401 without a key and 200 with one, on both servers; /healthz says only "ok"', async () => {
    const previous = process.env.SWITCHBOARD_API_KEYS;
    process.env.SWITCHBOARD_API_KEYS = `prom:${key}`;
    try {
      await withServe({}, async (serve, admin) => {
        for (const base of [new URL(serve.url).origin, admin]) {
          const anonymous = await rawGet(`${base}/metrics`);
          expect(anonymous.status, base).toBe(401);
          expect(anonymous.headers.get('www-authenticate')).toContain('ApiKey header="x-api-key"');
          expect(anonymous.text).not.toContain('switchboard_');
          const wrong = await rawGet(`${base}/metrics`, { 'x-api-key': 'not-the-key-0123456789' });
          expect(wrong.status).toBe(401);
          const scraper = await rawGet(`${base}/metrics`, { 'x-api-key': key });
          expect(scraper.status).toBe(200);
          expect(scraper.text).toContain('# HELP switchboard_');
          const health = await rawGet(`${base}/healthz`);
          expect(health.status).toBe(200);
          expect(health.text).toBe('{"status":"ok"}');
        }
      });
    } finally {
      if (previous === undefined) delete process.env.SWITCHBOARD_API_KEYS;
      else process.env.SWITCHBOARD_API_KEYS = previous;
    }
  });
});

describe('JWT without --authorization-server: 401 challenges and RFC 9728 metadata still there', () => {
  const secret = 'an-hmac-secret-of-at-least-32-bytes!!';
  const issuer = 'https://issuer.example.com';

  it('every 401 names resource_metadata, the document is served, and /metrics takes the same tokens', async () => {
    await withServe({ security: { jwt: { secret, issuer } } }, async (serve) => {
      const metadataUrl = `${new URL(serve.url).origin}/.well-known/oauth-protected-resource/mcp`;
      const challenge = `resource_metadata="${metadataUrl}"`;
      const missing = await post(serve.url, initializeRequest());
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toContain(challenge);
      const bad = await post(serve.url, initializeRequest(), { authorization: 'Bearer not.a.jwt' });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toContain(challenge);

      const document = await rawGet(metadataUrl);
      expect(document.status).toBe(200);
      expect(document.json()).toMatchObject({
        resource: serve.url,
        authorization_servers: [issuer],
        bearer_methods_supported: ['header'],
      });

      const metrics = await rawGet(`${new URL(serve.url).origin}/metrics`);
      expect(metrics.status).toBe(401);
      expect(metrics.headers.get('www-authenticate')).toContain(challenge);
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ sub: 'ops', iss: issuer, aud: serve.url, iat: now, exp: now + 600 })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(secret));
      const authorized = await rawGet(`${new URL(serve.url).origin}/metrics`, {
        authorization: `Bearer ${token}`,
      });
      expect(authorized.status).toBe(200);
      expect(authorized.text).toContain('# HELP switchboard_');
    });
  });
});
