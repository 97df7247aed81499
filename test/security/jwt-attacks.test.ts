import { generateKeyPairSync, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  b64,
  initializeRequest,
  makeKey,
  post,
  sign,
  startCountingBackend,
  startJwksServer,
  startServe,
  type CountingBackend,
  type JwksServer,
  type TestKey,
} from './harness.js';

const ISSUER = 'https://issuer.test';

let backend: CountingBackend;
let jwks: JwksServer;
let serve: Awaited<ReturnType<typeof startServe>>;
let key: TestKey;
let other: TestKey;
let audience: string;

beforeAll(async () => {
  backend = await startCountingBackend();
  key = await makeKey('k1');
  other = await makeKey('k1'); // same kid, different key: a forgery attempt
  jwks = await startJwksServer([key.publicJwk]);
  serve = await startServe(backend.uri, {
    security: {
      jwt: { jwksUri: jwks.uri, issuer: ISSUER, algorithms: ['RS256'], jwksMinRefetch: '2s' },
      oauth: { authorizationServers: [ISSUER] },
    },
  });
  audience = serve.url;
});

afterAll(async () => {
  await serve.close();
  await jwks.close();
  await backend.close();
});

/** Posts `initialize` with `authorization`; asserts 401 and that the backend saw nothing at all. */
async function refused(
  authorization: string | undefined,
  extra: Record<string, string> = {},
): Promise<string> {
  const before = { connections: backend.connections, received: backend.received.length };
  const reply = await post(serve.url, initializeRequest(), {
    ...(authorization === undefined ? {} : { authorization }),
    ...extra,
  });
  expect(reply.status).toBe(401);
  const challenge = reply.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain('resource_metadata="');
  expect(backend.connections).toBe(before.connections);
  expect(backend.received.length).toBe(before.received);
  // The refusal never echoes the credential.
  if (authorization !== undefined && authorization.length > 20)
    expect(reply.text).not.toContain(authorization.slice(7, 40));
  return challenge;
}

const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  aud: audience,
  sub: 'alice',
  ...over,
});

describe('JWT attacks (each refused with 401 before reaching the backend)', () => {
  it('accepts a valid token (control case) and the backend sees it', async () => {
    const token = await sign(key, claims());
    const reply = await post(serve.url, initializeRequest(), { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(200);
    expect(backend.received).toContain('initialize');
  });

  it('alg: none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), exp: now + 60 })}.`;
    expect(await refused(`Bearer ${token}`)).toContain('error="invalid_token"');
  });

  it('alg: None (case variant) with a signature part', async () => {
    const token = `${b64({ alg: 'None' })}.${b64(claims())}.AAAA`;
    await refused(`Bearer ${token}`);
  });

  it('HS256 signed with the RSA public key as the HMAC secret (algorithm confusion)', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const head = b64({ alg: 'HS256', kid: 'k1' });
    const body = b64({ ...claims(), exp: Math.floor(Date.now() / 1000) + 60 });
    const mac = createHmac('sha256', pem).update(`${head}.${body}`).digest('base64url');
    await refused(`Bearer ${head}.${body}.${mac}`);
  });

  it('HS256 signed with the JWK of the real public key (confusion with the served key)', async () => {
    const head = b64({ alg: 'HS256', kid: 'k1' });
    const body = b64({ ...claims(), exp: Math.floor(Date.now() / 1000) + 60 });
    const mac = createHmac('sha256', JSON.stringify(key.publicJwk))
      .update(`${head}.${body}`)
      .digest('base64url');
    await refused(`Bearer ${head}.${body}.${mac}`);
  });

  it('RS512 when only RS256 is pinned', async () => {
    const k = await makeKey('k1', 'RS512');
    await refused(`Bearer ${await sign(k, claims())}`);
  });

  it('ES256 token against an RSA key set', async () => {
    const k = await makeKey('k1', 'ES256');
    await refused(`Bearer ${await sign(k, claims())}`);
  });

  it('expired (beyond the 60 s clock skew)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const challenge = await refused(`Bearer ${await sign(key, claims({ exp: now - 120, iat: now - 3600 }))}`);
    expect(challenge).toContain('expired');
  });

  it('not yet valid (nbf beyond the skew)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(`Bearer ${await sign(key, claims({ nbf: now + 600 }))}`);
  });

  it('issued in the future (iat beyond the skew)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(`Bearer ${await sign(key, claims({ iat: now + 600, exp: now + 3600 }))}`);
  });

  it('without exp', async () => {
    const token = await sign(key, { ...claims(), exp: undefined });
    await refused(`Bearer ${token}`);
  });

  it('wrong issuer', async () => {
    await refused(`Bearer ${await sign(key, claims({ iss: 'https://evil.test' }))}`);
  });

  it('wrong audience (a token for another server)', async () => {
    await refused(`Bearer ${await sign(key, claims({ aud: 'https://other.example/mcp' }))}`);
  });

  it('audience of another port of the same host', async () => {
    const u = new URL(audience);
    u.port = String(Number(u.port) + 1);
    await refused(`Bearer ${await sign(key, claims({ aud: u.href }))}`);
  });

  it('missing audience', async () => {
    await refused(`Bearer ${await sign(key, claims({ aud: undefined }))}`);
  });

  it('bad signature (payload tampered after signing)', async () => {
    const token = await sign(key, claims({ sub: 'bob' }));
    const [h, , s] = token.split('.');
    await refused(`Bearer ${h}.${b64({ ...claims({ sub: 'admin' }), exp: 9_999_999_999 })}.${s}`);
  });

  it('signature of another key under the same kid', async () => {
    await refused(`Bearer ${await sign(other, claims())}`);
  });

  it('truncated signature', async () => {
    const token = await sign(key, claims());
    await refused(`Bearer ${token.slice(0, -10)}`);
  });

  it('unknown kid: the key set is refetched once, then the token is refused; a second unknown kid within the refetch interval does not refetch', async () => {
    // Both tokens are made first: on a busy machine key generation alone may outlast the 2 s interval.
    const first = await sign(await makeKey('unknown-kid'), claims());
    const second = await sign(await makeKey('unknown-kid-2'), claims());
    // Past the refetch interval since the last fetch (the first token of this suite).
    await new Promise((r) => setTimeout(r, 2100));
    const before = jwks.fetches;
    await refused(`Bearer ${first}`);
    expect(jwks.fetches).toBe(before + 1);
    await refused(`Bearer ${second}`);
    expect(jwks.fetches).toBe(before + 1);
  });

  it('key rotation: a token with the new kid is accepted after the refetch interval', async () => {
    const rotated = await makeKey('k2');
    jwks.setKeys([key.publicJwk, rotated.publicJwk]);
    await new Promise((r) => setTimeout(r, 2100));
    const before = backend.connections;
    const reply = await post(serve.url, initializeRequest(), {
      authorization: `Bearer ${await sign(rotated, claims())}`,
    });
    expect(reply.status).toBe(200);
    expect(backend.connections).toBe(before + 1);
  });

  it('malformed header: Bearer without a token', async () => {
    await refused('Bearer');
  });

  it('malformed header: Basic credentials', async () => {
    await refused(`Basic ${Buffer.from('admin:admin').toString('base64')}`);
  });

  it('malformed token: two segments', async () => {
    await refused(`Bearer ${b64({ alg: 'RS256' })}.${b64(claims())}`);
  });

  it('malformed token: header is not JSON', async () => {
    await refused(`Bearer ${Buffer.from('{not json').toString('base64url')}.${b64(claims())}.AAAA`);
  });

  it('malformed token: oversized (12 KiB, under the HTTP header limit)', async () => {
    await refused(`Bearer ${'a'.repeat(6_000)}.${'b'.repeat(6_000)}.c`);
  });

  it('missing Authorization header', async () => {
    const challenge = await refused(undefined);
    expect(challenge).not.toContain('error=');
  });

  it('token in the query string is refused (400) and never used', async () => {
    const token = await sign(key, claims());
    const before = backend.connections;
    const reply = await post(`${serve.url}?access_token=${token}`, initializeRequest());
    expect(reply.status).toBe(400);
    expect(backend.connections).toBe(before);
  });

  it('a valid token cannot drive another user’s session (session bound to the subject)', async () => {
    const alice = await sign(key, claims({ sub: 'alice' }));
    const init = await post(serve.url, initializeRequest(), { authorization: `Bearer ${alice}` });
    const session = init.headers.get('mcp-session-id') ?? '';
    const received = backend.received.length;
    const mallory = await sign(key, claims({ sub: 'mallory' }));
    const reply = await post(
      serve.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } },
      { authorization: `Bearer ${mallory}`, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
    );
    expect(reply.status).toBe(404);
    expect(backend.received.length).toBe(received);
  });
});
