import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applySecurityFlags } from '../../src/cli/serve/security-flags.js';
import { SecurityConfigSchema } from '../../src/config/security-config.js';
import { AuthorizationPolicy, callerOf } from '../../src/security/policy.js';
import { bearerChallenge, resourceMetadataUrl } from '../../src/security/protected-resource.js';
import { JwtVerifier } from '../../src/security/jwt-verifier.js';
import { RateLimiter } from '../../src/security/rate-limit/limiter.js';
import { checkChildEnvMappings, childEnvFor } from '../../src/security/session-env.js';
import { addressRefusal, classifyAddress, parseIpLiteral } from '../../src/security/ssrf/classify.js';

describe('address classification', () => {
  it.each([
    ['127.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['10.1.2.3', 'private'],
    ['100.64.1.1', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['239.1.1.1', 'multicast'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (address, cls) => {
    const ip = parseIpLiteral(address);
    expect(ip).toBeDefined();
    expect(classifyAddress(ip as NonNullable<typeof ip>)).toBe(cls);
  });

  it('names are not literals; policy decides loopback and private', () => {
    expect(parseIpLiteral('example.com')).toBeUndefined();
    expect(addressRefusal('127.0.0.1')).toBeUndefined();
    expect(addressRefusal('127.0.0.1', { allowLoopback: false })).toMatch(/loopback/);
    expect(addressRefusal('10.0.0.1')).toMatch(/private/);
    expect(addressRefusal('10.0.0.1', { allowPrivate: true })).toBeUndefined();
  });
});

describe('rate limiter', () => {
  it('admits the burst, refuses beyond it with the wait, refills over time, bounds its keys', () => {
    let now = 0;
    const limiter = new RateLimiter({
      ratePerSecond: 2,
      burst: 3,
      maxKeys: 2,
      tools: { slow: { ratePerSecond: 1, burst: 1 } },
      now: () => now,
    });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    const refused = limiter.take('a');
    expect(refused).toEqual({ allowed: false, retryAfterMs: 500, scope: 'principal' });
    now += 500;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b', 'slow').allowed).toBe(true);
    expect(limiter.take('b', 'slow')).toMatchObject({ allowed: false, scope: 'tool' });
    limiter.take('c');
    expect(limiter.size).toBe(2);
  });
});

describe('authorization policy', () => {
  const policy = new AuthorizationPolicy([
    { scopes: ['read'], tools: ['get_*'], resources: ['docs://*'] },
    { claims: { role: 'admin' }, tools: ['*'] },
    { principals: ['apikey:ci'], prompts: ['release'] },
  ]);
  const caller = (scopes: string[], claims: Record<string, unknown> = {}, principal = 'sub:x') => ({
    principal,
    scopes,
    claims,
  });

  it('allows by scope, claim or principal; refuses with the scopes that would allow', () => {
    expect(policy.decide('tools', 'get_user', caller(['read'])).allowed).toBe(true);
    expect(policy.decide('tools', 'delete_user', caller(['read']))).toEqual({
      allowed: false,
      requiredScopes: [],
    });
    expect(policy.decide('tools', 'get_user', caller([]))).toEqual({
      allowed: false,
      requiredScopes: ['read'],
    });
    expect(policy.decide('tools', 'delete_user', caller([], { role: 'admin' })).allowed).toBe(true);
    expect(policy.decide('tools', 'delete_user', caller([], { role: ['user', 'admin'] })).allowed).toBe(true);
    expect(policy.decide('prompts', 'release', caller([], {}, 'apikey:ci')).allowed).toBe(true);
    expect(policy.decide('resources', 'file:///etc/passwd', caller(['read'])).allowed).toBe(false);
  });

  it('filters list items and treats glob metacharacters literally', () => {
    const tools = [{ name: 'get_a' }, { name: 'drop' }, { name: 'get.a' }];
    expect(policy.filter('tools', tools, 'name', caller(['read'])).map((t) => t.name)).toEqual(['get_a']);
    const strict = new AuthorizationPolicy([{ tools: ['a.b'] }]);
    expect(strict.decide('tools', 'aXb', caller([])).allowed).toBe(false);
    expect(callerOf(undefined, 'ip:1.2.3.4').principal).toBe('ip:1.2.3.4');
  });
});

describe('JWT verifier configuration refusals', () => {
  const audience = 'https://mcp.example/mcp';
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it.each([
    ['no audience', () => new JwtVerifier({ secret: 'x'.repeat(32), audience: [] })],
    ['two key sources', () => new JwtVerifier({ secret: 'x'.repeat(32), publicKey: pem, audience })],
    ['weak secret', () => new JwtVerifier({ secret: 'short', audience })],
    ['a PEM public key given as the HMAC secret', () => new JwtVerifier({ secret: pem, audience })],
    ['alg none', () => new JwtVerifier({ secret: 'x'.repeat(32), algorithms: ['none'], audience })],
    ['HS256 with a public key', () => new JwtVerifier({ publicKey: pem, algorithms: ['HS256'], audience })],
    ['an oct JWK as a public key', () => new JwtVerifier({ publicKey: { kty: 'oct', k: 'AAAA' }, audience })],
    [
      'HS512 with a 32-byte secret',
      () => new JwtVerifier({ secret: 'x'.repeat(32), algorithms: ['HS512'], audience }),
    ],
  ])('refuses %s', (_name, build) => {
    expect(build).toThrow();
  });

  it('pins the algorithms of the key', () => {
    expect(new JwtVerifier({ publicKey: pem, audience }).algorithms).toContain('PS256');
    expect(new JwtVerifier({ secret: 'x'.repeat(48), audience }).algorithms).toEqual(['HS256', 'HS384']);
  });
});

describe('OAuth helpers, child env, flags', () => {
  it('builds the metadata URL and challenges', () => {
    expect(resourceMetadataUrl('https://h.example/mcp')).toBe(
      'https://h.example/.well-known/oauth-protected-resource/mcp',
    );
    expect(resourceMetadataUrl('https://h.example/')).toBe(
      'https://h.example/.well-known/oauth-protected-resource',
    );
    expect(bearerChallenge({ error: 'insufficient_scope', scope: ['a', 'b'], resourceMetadata: 'u"x' })).toBe(
      'Bearer error="insufficient_scope", scope="a b", resource_metadata="u\\"x"',
    );
  });

  it('maps claims and headers to child variables, refuses dangerous names and missing values', () => {
    expect(() => checkChildEnvMappings([{ env: 'LD_PRELOAD', claim: 'x' }])).toThrow(/refused/);
    expect(() => checkChildEnvMappings([{ env: 'NODE_OPTIONS', claim: 'x' }])).toThrow(/refused/);
    expect(() => checkChildEnvMappings([{ env: 'TOKEN', claim: 'a', header: 'b' }])).toThrow(/exactly one/);
    const mappings = [
      { env: 'GH_TOKEN', claim: 'gh' },
      { env: 'TENANT', header: 'x-tenant', required: false },
    ];
    const auth = {
      token: '',
      clientId: 'c',
      scopes: [],
      extra: { claims: { gh: 'ghp_1' }, headers: { 'x-tenant': 't1' } },
    };
    expect(childEnvFor(mappings, auth)).toEqual({ env: { GH_TOKEN: 'ghp_1', TENANT: 't1' } });
    expect(childEnvFor(mappings, undefined)).toEqual({ missing: 'GH_TOKEN' });
  });

  it('security flags parse into the config schema', () => {
    const merged: Record<string, unknown> = {};
    applySecurityFlags(merged, {
      jwtJwksUri: 'https://auth.example/jwks',
      jwtAlgorithm: ['RS256', 'ES256'],
      requireAuth: true,
      cors: ['https://app.example'],
      rateLimit: '10/s',
      rateBurst: '20',
      denyLoopbackBackends: true,
      allowCommand: ['node'],
      childEnv: ['GH_TOKEN=claim:gh', 'TENANT=header:x-tenant'],
    });
    const config = SecurityConfigSchema.parse(merged.security);
    expect(config.jwt.algorithms).toEqual(['RS256', 'ES256']);
    expect(config.rateLimit).toMatchObject({ rate: 10, burst: 20 });
    expect(config.backends).toEqual({ allowPrivate: false, denyLoopback: true });
    expect(config.childEnv[1]).toMatchObject({ env: 'TENANT', header: 'x-tenant', required: true });
    expect(() => applySecurityFlags({}, { childEnv: ['bad'] })).toThrow(/NAME=claim/);
    expect(() => applySecurityFlags({}, { rateLimit: 'fast' })).toThrow(/positive number/);
  });
});
