/**
 * The legacy-facing stage's byte translation of results against its object translation: whatever a
 * spliced result says once parsed (`JSON.parse`, as the client reads it) is exactly what the object
 * translation (`toLegacyResult`) would have sent — on results spelled every way JSON allows (whitespace,
 * escaped keys, duplicate keys, number spellings, `__proto__` members, `_meta` of every kind) and on
 * JSON-looking garbage. Splicing is refused only where the stage must translate objects. The stage
 * splices only large frames; here every size is spliced (threshold 0) to test the bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toLegacyResult } from '../../src/era/era-meta.js';
import { SPLICE_ABOVE_BYTES, splicedResult } from '../../src/era/legacy-frames.js';
import {
  decodeFramedMessage,
  isToolErrorResult,
  rawEncodingOf,
  resultHas,
} from '../../src/framing/frame-message.js';
import { scanFrame } from '../../src/framing/frame-scanner.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { chunked, ciRun, garbageFrame } from '../fuzz/json-garbage.js';

const cuts = fc.array(fc.nat(), { maxLength: 6 });
const ws = fc.constantFrom('', ' ', '\t', ' \n ');
const leaf = fc.constantFrom(
  '1',
  '1.0',
  '1e3',
  '-0',
  '"plain"',
  '"\\u00e9t\\u00E9"',
  '"\u2028 raw and \\u2028 escaped"',
  '"q \\" b \\\\ s \\/"',
  '"\\ud800 lone"',
  '"_meta"',
  '"resultType"',
  'true',
  'null',
  '""',
);
const jsonish: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }).chain((xs) => ws.map((w) => `[${w}${xs.join(`${w},`)}]`)),
    fc
      .array(fc.tuple(fc.constantFrom('a', '_meta', 'resultType', '}', '"', '__proto__'), tie('v')), {
        maxLength: 3,
      })
      .map((kvs) => `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).v;

/** A key as JSON text: plainly, or with an escaped letter (the same key once parsed). */
const spelledKey = (name: string): fc.Arbitrary<string> =>
  fc.constantFrom(
    JSON.stringify(name),
    `"${[...name].map((c, i) => (i === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')}"`,
  );

/** An object's text from members (possibly duplicated, in any order), with any whitespace. */
const objectText = (members: fc.Arbitrary<[string, string][]>): fc.Arbitrary<string> =>
  fc
    .tuple(members, ws, ws)
    .chain(([kvs, a, b]) =>
      fc
        .tuple(...kvs.map(([k, v]) => spelledKey(k).map((key) => `${a}${key}${b}:${a}${v}`)))
        .map((parts) => `{${parts.join(`${b},`)}${a}}`),
    );

const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
const PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';

const metaValue = fc.oneof(
  objectText(
    fc.array(
      fc.tuple(
        fc.constantFrom('progressToken', 'x', SERVER_INFO, PROTOCOL_VERSION, '__proto__'),
        fc.constantFrom('"tok"', '7', '{"name":"s","version":"1"}', '"2026-07-28"', '"2025-06-18"', 'null'),
      ),
      { maxLength: 3 },
    ),
  ),
  fc.constantFrom('null', '[]', '"m"', '3', '{}', '{ }'),
);

const resultText = objectText(
  fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom('content', 'isError', 'structuredContent', '__proto__', 'task'), jsonish),
      fc.tuple(fc.constant('isError'), fc.constantFrom('true', 'false')),
      fc.tuple(fc.constant('resultType'), fc.constantFrom('"complete"', '"input_required"', '"other"', '1')),
      fc.tuple(fc.constantFrom('ttlMs', 'cacheScope'), fc.constantFrom('0', '1.5e3', '"private"', 'null')),
      fc.tuple(fc.constant('_meta'), metaValue),
    ),
    { maxLength: 6 },
  ),
);

/** A whole frame: the top-level members in any order. */
const frame = (members: fc.Arbitrary<string[]>): fc.Arbitrary<string> =>
  fc
    .tuple(members, ws)
    .chain(([ms, w]) =>
      fc.shuffledSubarray(ms, { minLength: ms.length }).map((o) => `${w}{${o.join(`,${w}`)}}`),
    );

const idText = fc.constantFrom('1', '1.0', '"a"', '"\\u0041"', '0');
const resultFrame = frame(
  fc.tuple(idText, resultText).map(([id, result]) => ['"jsonrpc":"2.0"', `"id":${id}`, `"result":${result}`]),
);

const bytesOf = (m: JSONRPCMessage): Buffer => {
  const raw = rawEncodingOf(m);
  expect(raw).toBeDefined();
  return Buffer.concat(raw?.parts ?? []);
};

/** What a receiver parses, member by member in a canonical top-level order. */
const received = (bytes: Buffer): Record<string, string> => {
  const m = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(m).map((k) => [k, JSON.stringify(m[k])]));
};

const decoders = [
  ['scanned', 0],
  ['parsed whole', Infinity],
] as const;

/** `false` for a value nested too deep for recursive walkers (JSON.stringify, deep equality). */
function walkable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/** Checks one response frame against the object translation. */
function checkResult(text: Buffer, scanAbove: number, at: number[]): 'spliced' | 'input' | 'refused' {
  const framed = decodeFramedMessage(chunked(text, at), scanAbove);
  if (framed === undefined || !('result' in framed)) return 'refused';
  const plain = JSON.parse(text.toString('utf8')) as { id: unknown; result: Record<string, unknown> };
  const spliced = splicedResult(framed, 42, 0);
  if (spliced === undefined) {
    const repeated = scanFrame([text]) === undefined;
    expect(plain.result.resultType === 'input_required' || repeated).toBe(true);
    return plain.result.resultType === 'input_required' ? 'input' : 'refused';
  }
  expect(plain.result.resultType).not.toBe('input_required');
  const legacy = toLegacyResult(plain.result);
  const bytes = bytesOf(spliced);
  if (!walkable(plain)) {
    const parsed = JSON.parse(bytes.toString('utf8')) as { id: unknown; result: Record<string, unknown> };
    expect(parsed.id).toBe(42);
    expect(Object.keys(parsed.result)).toEqual(Object.keys(legacy));
    return 'spliced';
  }
  expect(received(bytes)).toEqual(
    received(Buffer.from(JSON.stringify({ ...plain, id: 42, result: legacy }))),
  );
  expect(spliced.id).toBe(42);
  expect(isToolErrorResult(spliced)).toBe(legacy.isError === true);
  expect(resultHas(spliced, '_meta')).toBe(legacy._meta !== undefined);
  expect(resultHas(spliced, 'task')).toBe(legacy.task !== undefined);
  // Facts read nothing out: still written as its bytes.
  expect(Buffer.concat(rawEncodingOf(spliced)?.parts ?? []).equals(bytes)).toBe(true);
  expect(JSON.stringify((spliced as { result: unknown }).result)).toBe(JSON.stringify(legacy));
  return 'spliced';
}

describe('legacy-facing byte translations: what the receiver parses is the object translation', () => {
  for (const [path, scanAbove] of decoders) {
    it(`results (${path}): the 2026-07-28 members cut out, the client's id`, () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(resultFrame, cuts, (text, at) => {
          seen.add(checkResult(Buffer.from(text), scanAbove, at));
        }),
        ciRun(800),
      );
      expect(seen.has('spliced') && seen.has('input')).toBe(true);
    });

    it(`JSON-looking garbage (${path}): never throws; whatever is spliced reads as the object translation`, () => {
      fc.assert(
        fc.property(garbageFrame, cuts, (bytes, at) => {
          checkResult(bytes, scanAbove, at);
        }),
        ciRun(400),
      );
    });
  }

  it('by default only frames above the splice size are spliced; the rest take the object translation', () => {
    const big = 'y'.repeat(SPLICE_ABOVE_BYTES);
    const result = `{"jsonrpc":"2.0","id":"sb-1","result":{"content":[{"type":"text","text":"${big}"}],"resultType":"complete"}}`;
    const response = decodeFramedMessage([Buffer.from(result.slice(0, 100)), Buffer.from(result.slice(100))]);
    const spliced = splicedResult(response as JSONRPCMessage, 5);
    expect(spliced && bytesOf(spliced).toString('utf8')).toBe(
      `{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"${big}"}]}}`,
    );
    const small = decodeFramedMessage([
      Buffer.from('{"jsonrpc":"2.0","id":"a","result":{"resultType":"complete"}}'),
    ]);
    expect(splicedResult(small as JSONRPCMessage, 5)).toBeUndefined();
  });

  it('a small result is cut to the exact bytes expected', () => {
    const text = `{"jsonrpc":"2.0","id":"sb-1","result":{"content":[{"type":"text","text":"1.0"}],"resultType":"complete","_meta":{"${SERVER_INFO}":{"name":"s"},"k":1e3}}}`;
    const spliced = splicedResult(decodeFramedMessage([Buffer.from(text)]) as JSONRPCMessage, 5, 0);
    expect(spliced && bytesOf(spliced).toString('utf8')).toBe(
      '{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"1.0"}],"_meta":{"k":1000}}}',
    );
  });
});
