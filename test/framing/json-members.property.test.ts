/**
 * The member walk a splice relies on, against `JSON.parse`: on any JSON object (whitespace, escapes,
 * duplicate keys, deep values, strings full of brackets and quotes) the members it finds, applied in
 * order, make the very object `JSON.parse` makes, and their key codes name the keys they are; on
 * JSON-looking garbage it never throws and never reads past its limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyTable, objectLayout } from '../../src/framing/json-members.js';
import { ciRun, garbageFrame } from '../fuzz/json-garbage.js';

const NAMES = ['_meta', 'resultType', 'a', '}', '"', 'é', '__proto__'];
const KEYS = keyTable(Object.fromEntries(NAMES.map((n, i) => [n, i + 1])));

const ws = fc.constantFrom('', ' ', '\t', '\r\n ');
const leaf = fc.constantFrom(
  '1',
  '-1.5e-3',
  '0',
  'true',
  'false',
  'null',
  '"plain"',
  '"{[,:]}"',
  '"\\"}"',
  '"\\\\"',
  '"\\\\\\""',
  '"\\u005c"',
  '"\u2028é😀"',
  '""',
);
const spelled = (name: string): fc.Arbitrary<string> =>
  fc.constantFrom(
    JSON.stringify(name),
    JSON.stringify(name).replace(/[a-z_]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
  );
const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }).chain((xs) => ws.map((w) => `[${w}${xs.join(`${w},${w}`)}${w}]`)),
    fc
      .array(fc.tuple(fc.constantFrom(...NAMES, 'other'), tie('v')), { maxLength: 3 })
      .map((kvs) => `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).v;
const object = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...NAMES, 'other', 'x y').chain(spelled), value), { maxLength: 6 }),
    ws,
    ws,
    fc.constantFrom('', ' ', '[1,2]'),
  )
  .map(([kvs, a, b, tail]) => ({
    text: `${a}{${a}${kvs.map(([k, v]) => `${k}${b}:${a}${v}`).join(`${b},${a}`)}${b}}${tail}`,
    at: a.length,
  }));

describe('object members found in the bytes', () => {
  it('applied in order, they make the object JSON.parse makes; codes name their keys', () => {
    fc.assert(
      fc.property(object, ({ text, at }) => {
        const bytes = Buffer.from(text, 'utf8');
        const layout = objectLayout(bytes, Buffer.byteLength(text.slice(0, at)), KEYS);
        expect(layout).toBeDefined();
        if (layout === undefined) return;
        const end = layout.end;
        const expected = JSON.parse(bytes.toString('utf8', 0, end)) as Record<string, unknown>;
        const rebuilt: Record<string, unknown> = {};
        for (const m of layout.members) {
          const keyText = bytes.toString('utf8', m.keyStart, m.valueStart).replace(/\s*:\s*$/, '');
          const key = JSON.parse(keyText) as string;
          expect(m.code).toBe(NAMES.indexOf(key) + 1);
          // Last one wins, at the place of the first: what JSON.parse does with duplicated keys.
          Object.defineProperty(rebuilt, key, {
            value: JSON.parse(bytes.toString('utf8', m.valueStart, m.valueEnd)),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(expected));
        expect(bytes[end - 1]).toBe(0x7d);
      }),
      ciRun(1000),
    );
  });

  it('a nested table lays out the members of that key’s object value', () => {
    const text = Buffer.from('{"a":1,"_meta" : { "resultType":"x","b":[{"_meta":1}] },"z":"}"}');
    const layout = objectLayout(text, 0, KEYS, (code) => (code === 1 ? KEYS : undefined));
    const nested = layout?.members[1]?.nested;
    expect(nested?.members.map((m) => m.code)).toEqual([2, 0]);
    expect(text.toString('utf8', nested?.start, nested?.end)).toBe('{ "resultType":"x","b":[{"_meta":1}] }');
  });

  it('JSON-looking garbage: never throws, never reads past the limit', () => {
    fc.assert(
      fc.property(garbageFrame, fc.nat(), (bytes, cut) => {
        const limit = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
        const layout = objectLayout(bytes, 0, KEYS, () => KEYS, limit);
        if (layout === undefined) return;
        expect(layout.end).toBeLessThanOrEqual(limit);
        for (const m of layout.members) expect(m.valueEnd).toBeLessThanOrEqual(limit);
      }),
      ciRun(600),
    );
  });
});
