import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequestTarget, requestPathname } from '../../src/transports/request-url.js';
import { anyCodeUnit } from '../fuzz/json-garbage.js';

describe('parseRequestTarget', () => {
  it('reads origin-form targets as paths, never as authorities', () => {
    expect(requestPathname('/mcp?x=1')).toBe('/mcp');
    expect(requestPathname('//')).toBe('//');
    expect(requestPathname('//[')).toBe('//[');
    expect(requestPathname('//evil.example/x')).toBe('//evil.example/x');
    expect(requestPathname('/\\')).toBe('//');
    expect(requestPathname('/./healthz')).toBe('/healthz');
    expect(requestPathname('/%')).toBe('/%');
    expect(requestPathname(undefined)).toBe('/');
    expect(parseRequestTarget('/mcp?sessionId=a%20b')?.searchParams.get('sessionId')).toBe('a b');
  });

  it('parses absolute-form targets and refuses the rest', () => {
    expect(requestPathname('http://example.com/healthz')).toBe('/healthz');
    expect(requestPathname('http://[')).toBeUndefined();
    expect(requestPathname('*')).toBeUndefined();
    expect(requestPathname('example.com:443')).toBeUndefined();
    expect(requestPathname('%')).toBeUndefined();
    expect(requestPathname('')).toBeUndefined();
  });

  it('never throws, whatever the target', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: anyCodeUnit, maxLength: 40 }),
          fc.string({ maxLength: 40 }).map((s) => `/${s}`),
          fc.string({ maxLength: 40 }).map((s) => `//${s}`),
          fc.string({ maxLength: 40 }).map((s) => `http://${s}`),
        ),
        (target) => {
          const url = parseRequestTarget(target);
          if (url !== undefined) expect(url.pathname.startsWith('/')).toBe(true);
        },
      ),
      { seed: 0x5eed_cafe, numRuns: 500 },
    );
  });
});
