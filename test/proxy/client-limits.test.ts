import { describe, expect, it } from 'vitest';
import { addressKey, ClientLimits } from '../../src/proxy/client-limits.js';

describe('client limits', () => {
  it('keys addresses by IPv4 address or IPv6 /64, mapped IPv4 as IPv4, loopback only when asked', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::2'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('127.0.0.2')).toBeUndefined();
    expect(addressKey('::1')).toBeUndefined();
    expect(addressKey('127.0.0.2', true)).toBe('127.0.0.2');
    expect(addressKey(undefined)).toBeUndefined();
    expect(addressKey('not an address')).toBeUndefined();
  });

  it('counts sessions and backends per key, gives places back, and 0 means no cap', () => {
    const limits = new ClientLimits({
      perPrincipal: { sessions: 2, backends: 0 },
      perAddress: { sessions: 0, backends: 0 },
    });
    const keys = limits.keysOf({ principal: 'sub:a', remoteAddress: '198.51.100.1' });
    expect(limits.openSession(keys)).toBeUndefined();
    expect(limits.openSession(keys)).toBeUndefined();
    expect(limits.openSession(keys)).toMatch(/too many sessions for this principal \(max 2\)/);
    for (let i = 0; i < 100; i++) expect(limits.startBackend(keys)).toBeUndefined();
    limits.closeSession(keys);
    expect(limits.openSession(keys)).toBeUndefined();
    // A refused take counts nothing.
    const other = limits.keysOf({ remoteAddress: '198.51.100.1' });
    for (let i = 0; i < 300; i++) expect(limits.openSession(other)).toBeUndefined();
  });
});
