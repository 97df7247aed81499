/**
 * 2026-07-28 cache hints through the proxy: a list a per-principal policy filtered becomes
 * `cacheScope: "private"` (its hints stay, as a 2026 result must carry them); results the bridge makes
 * from 2025 results promise nothing (`ttlMs: 0`, `private`); other hints pass untouched.
 */
import { describe, expect, it } from 'vitest';
import { toModernResult } from '../../src/era/era-meta.js';
import { AccessControl } from '../../src/security/access-control.js';
import { AuthorizationPolicy } from '../../src/security/policy.js';

const caller = { principal: 'alice', scopes: ['read'], claims: {} };
const access = new AccessControl({
  policy: new AuthorizationPolicy([{ scopes: ['read'], tools: ['get_*'] }]),
});

describe('cache hints', () => {
  it('makes a per-principal filtered 2026 list private and keeps its ttl', () => {
    const listed = {
      resultType: 'complete',
      tools: [{ name: 'get_a' }, { name: 'drop_b' }],
      ttlMs: 60_000,
      cacheScope: 'public',
    };
    expect(access.filterResult('tools/list', listed, caller)).toEqual({
      resultType: 'complete',
      tools: [{ name: 'get_a' }],
      ttlMs: 60_000,
      cacheScope: 'private',
    });
  });

  it('adds no hints to a 2025 list', () => {
    expect(access.filterResult('tools/list', { tools: [{ name: 'get_a' }] }, caller)).toEqual({
      tools: [{ name: 'get_a' }],
    });
  });

  it('gives bridged 2025 results conservative hints, and keeps hints a result already has', () => {
    expect(toModernResult('tools/list', { tools: [] })).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
    expect(toModernResult('resources/read', { contents: [], ttlMs: 5, cacheScope: 'public' })).toMatchObject({
      ttlMs: 5,
      cacheScope: 'public',
    });
    expect(toModernResult('tools/call', { content: [] })).not.toHaveProperty('ttlMs');
  });
});
