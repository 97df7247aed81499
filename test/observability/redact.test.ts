import { describe, expect, it } from 'vitest';
import { redactPayload } from '../../src/observability/redact.js';

describe('redactPayload', () => {
  it('hides secret-looking keys at any depth, cuts long strings, bounds depth and breadth', () => {
    const out = redactPayload({
      name: 'login',
      arguments: {
        user: 'ann',
        password: 'p4ss',
        nested: { apiKey: 'sk-1', Authorization: 'Bearer x', deep: { a: { b: { c: { d: 1 } } } } },
      },
      text: 'x'.repeat(500),
      list: Array.from({ length: 30 }, (_, i) => i),
    }) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toMatch(/p4ss|sk-1|Bearer x/);
    expect(out.arguments).toMatchObject({
      user: 'ann',
      password: '[redacted]',
      nested: { apiKey: '[redacted]', Authorization: '[redacted]' },
    });
    expect(String(out.text)).toMatch(/…\(500 chars\)$/);
    expect((out.list as unknown[]).length).toBe(21);
    expect(JSON.stringify(out)).toContain('[object]');
  });
});
