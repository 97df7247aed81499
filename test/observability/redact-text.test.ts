import { describe, expect, it } from 'vitest';
import { redactText } from '../../src/observability/redact-text.js';

describe('redactText', () => {
  it('hides credential-shaped text and known secret values in a stderr line', () => {
    const line =
      'connect failed: postgres://app:pa55w0rd@db:5432/x token=abc123 "apiKey": "k-9" ' +
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln sk-live-0123456789abcdefXYZ ghp_abcdefghijklmnopqrstuvwx my-own-secret-value';
    const out = redactText(line, ['my-own-secret-value', 'x']);
    for (const leaked of [
      'pa55w0rd',
      'abc123',
      'k-9',
      'eyJhbGci',
      'sk-live',
      'ghp_',
      'my-own-secret-value',
    ]) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain('postgres://[redacted]@db:5432/x');
    expect(out).toContain('token=[redacted]');
    expect(out).toContain('connect failed');
    // Values shorter than 6 characters are not searched for (they would hide ordinary words).
    expect(redactText('x marks the spot', ['x'])).toBe('x marks the spot');
  });

  it('cuts very long text', () => {
    const out = redactText('a'.repeat(10_000));
    expect(out.length).toBeLessThan(2100);
    expect(out).toMatch(/…\(10000 chars\)$/);
  });
});
