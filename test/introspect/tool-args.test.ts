import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import { buildToolArguments, coerceArgValue } from '../../src/introspect/tool-args.js';

describe('coerceArgValue', () => {
  it.each([
    ['42', 42],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['true', true],
    ['false', false],
    ['null', null],
    ['{"a":[1,2]}', { a: [1, 2] }],
    ['[1,"x"]', [1, 'x']],
    ['"42"', '42'],
    ['hello', 'hello'],
    ['', ''],
    ['{not json', '{not json'],
    ['12345678901234567890', '12345678901234567890'],
    [' 7 ', 7],
  ])('%j → %j', (raw, expected) => {
    expect(coerceArgValue(raw)).toEqual(expected);
  });
});

describe('buildToolArguments', () => {
  it('merges --args with --arg pairs, the pairs winning', () => {
    expect(buildToolArguments('{"a":1,"b":"x"}', ['b=2', 'c=k=v'])).toEqual({ a: 1, b: 2, c: 'k=v' });
    expect(buildToolArguments(undefined, [])).toEqual({});
  });

  it.each([
    ['not json', []],
    ['[1,2]', []],
    ['null', []],
    [undefined, ['novalue']],
    [undefined, ['=x']],
  ])('rejects %j %j as a usage error', (json, pairs) => {
    expect(() => buildToolArguments(json, pairs)).toThrow(SwitchboardError);
    try {
      buildToolArguments(json, pairs);
    } catch (error) {
      expect((error as SwitchboardError).code).toBe('INVALID_OPTIONS');
    }
  });
});
