import { buildSchema, specifiedRules } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DocumentCache } from '../../src/adapters/graphql/document-cache.js';
import { complexityLimit } from '../../src/adapters/graphql/query-limits.js';

const schema = buildSchema('type Query { a: Int, b(n: Int): Int, list: [Int] }');

describe('DocumentCache', () => {
  it('parses a query text once and keeps at most `max` documents (LRU)', () => {
    const cache = new DocumentCache(2);
    const first = cache.parse('{ a }');
    expect(cache.parse('{ a }')).toBe(first);
    cache.parse('{ b }');
    cache.parse('{ a }'); // most recent again
    cache.parse('{ list }'); // evicts { b }
    expect(cache.parse('{ a }')).toBe(first);
    expect(cache.parse('{ b }')).not.toBe(cache.parse('{ list }'));
    expect(() => cache.parse('{')).toThrow();
  });

  it('validates a document once per schema, but again for a new schema', () => {
    const cache = new DocumentCache();
    const document = cache.parse('{ a nope }');
    const errors = cache.validate(schema, document, specifiedRules);
    expect(errors).toHaveLength(1);
    expect(cache.validate(schema, document, specifiedRules)).toBe(errors);
    const other = buildSchema('type Query { a: Int, nope: Int }');
    expect(cache.validate(other, document, specifiedRules)).toEqual([]);
  });

  it('does not cache documents whose cost depends on variables (@include/@skip)', () => {
    const cache = new DocumentCache();
    const document = cache.parse('query ($x: Boolean!) { a b @include(if: $x) }');
    const rules = (x: boolean) => [...specifiedRules, complexityLimit(1, { x })];
    expect(cache.validate(schema, document, rules(false))).toEqual([]);
    expect(cache.validate(schema, document, rules(true))).toHaveLength(1);
  });
});
