/**
 * Raw-frame mode against the ordinary path (`JSON.parse` + the JSON-RPC checks), on JSON-looking garbage
 * and on valid messages spelled every way JSON allows: whatever the scanner accepts, the ordinary path
 * accepts too, with the same value, the same facts and — written back — the very bytes that arrived; and a
 * decoder in raw-frame mode gives the same messages and the same refusals as one without.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SwitchboardError } from '../../src/errors.js';
import {
  decodeFramedMessage,
  isFramedMessage,
  isToolErrorResult,
  paramOf,
  plainMessage,
  progressTokenOf,
  rawEncodingOf,
  SCAN_ABOVE_BYTES,
  withFrameId,
} from '../../src/framing/frame-message.js';
import { parseFrame, type DecoderCallbacks } from '../../src/framing/frame-parser.js';
import { NdjsonDecoder } from '../../src/framing/ndjson.js';
import type { JSONRPCMessage, RequestId } from '../../src/protocol/messages.js';
import { chunked, ciRun, garbageFrame, garbageLines } from '../fuzz/json-garbage.js';

const cuts = fc.array(fc.nat(), { maxLength: 8 });

/** The outcome of the ordinary path for one frame's text. */
function ordinary(text: string): { message?: JSONRPCMessage; error?: SwitchboardError } {
  const out: { message?: JSONRPCMessage; error?: SwitchboardError } = {};
  parseFrame(text, {
    onmessage: (m) => (out.message = m),
    onerror: (e) => (out.error = e),
  });
  return out;
}

const isJsonWs = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function trimJsonWs(bytes: Buffer): Buffer {
  let s = 0;
  let e = bytes.length;
  while (s < e && isJsonWs(bytes[s])) s++;
  while (e > s && isJsonWs(bytes[e - 1])) e--;
  return bytes.subarray(s, e);
}

/** Checks a framed message against the ordinary path's message for the same bytes. */
function expectSameAsOrdinary(framed: JSONRPCMessage, bytes: Buffer): void {
  const plain = ordinary(bytes.toString('utf8')).message;
  expect(plain).toBeDefined();
  const p = plain as JSONRPCMessage;
  // Facts, read without opening the message, before anything else reads it.
  expect(progressTokenOf(framed)).toEqual(progressTokenOf(p));
  expect(paramOf(framed, 'requestId')).toEqual(paramOf(p, 'requestId'));
  expect(paramOf(framed, 'progressToken')).toEqual(paramOf(p, 'progressToken'));
  expect(paramOf(framed, 'name')).toEqual(paramOf(p, 'name'));
  expect(isToolErrorResult(framed)).toBe(isToolErrorResult(p));
  const raw = rawEncodingOf(framed);
  expect(raw).toBeDefined();
  expect(Buffer.concat(raw?.parts ?? []).equals(trimJsonWs(bytes))).toBe(true);
  let text: string;
  try {
    text = JSON.stringify(p);
  } catch {
    // Nesting too deep for any recursive walker (JSON.stringify, deep equality): the bytes are the check.
    return;
  }
  expect(plainMessage(framed)).toEqual(p);
  // Reading it as an object gives the same value, in the same key order.
  expect(JSON.stringify(framed)).toBe(text);
  expect(framed).toEqual(p);
}

/** Valid messages spelled in the ways JSON allows: whitespace, escapes, number forms, key orders. */
const ws = fc.constantFrom('', ' ', '  ', '\t', ' \t ');
const spelledNumber = fc.constantFrom('1', '1.0', '1e3', '1E+2', '-0', '0.5e-1', '123456789', '-7');
const spelledString = fc.constantFrom(
  '"plain"',
  '"\\u00e9t\\u00E9"',
  '"été"',
  '"\u2028 raw and \\u2028 escaped"',
  '"quote \\" backslash \\\\ slash \\/"',
  '"\\b\\f\\n\\r\\t"',
  '"\\ud83d\\ude00 😀"',
  '"\\ud800 lone"',
  '""',
);
const leaf = fc.oneof(spelledNumber, spelledString, fc.constantFrom('true', 'false', 'null'));
const jsonish: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }).chain((xs) => ws.map((w) => `[${w}${xs.join(`${w},`)}]`)),
    fc
      .array(fc.tuple(fc.constantFrom('a', 'b', 'x y', 'é', '_meta', 'name', 'isError'), tie('v')), {
        maxLength: 3,
      })
      .map((kvs) => `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).v;
const idSpelled = fc.constantFrom('1', '1.0', '1e3', '0', '-5', '"a"', '"\\u0041b"', '"é"');
const token = fc.constantFrom('"tok"', '7', '7.0', '"\\u0074"');

const request = fc
  .tuple(
    idSpelled,
    fc.constantFrom('tools/call', 'ping', 'x/\\u0079'),
    fc.option(token, { nil: undefined }),
    fc.option(spelledString, { nil: undefined }),
    jsonish,
  )
  .map(([id, method, tok, name, args]) => {
    const meta = tok === undefined ? '' : `"_meta":{"progressToken":${tok}},`;
    const nm = name === undefined ? '' : `"name":${name},`;
    return [
      `"jsonrpc":"2.0"`,
      `"id":${id}`,
      `"method":"${method}"`,
      `"params":{${meta}${nm}"arguments":${args}}`,
    ];
  });
const notification = fc
  .tuple(fc.constantFrom('notifications/progress', 'notifications/cancelled'), token, idSpelled)
  .map(([method, tok, id]) => [
    `"method":"${method}"`,
    `"params":{"progressToken":${tok},"requestId":${id},"progress":1.50}`,
    `"jsonrpc":"2.0"`,
  ]);
const result = fc
  .tuple(idSpelled, fc.boolean(), jsonish)
  .map(([id, isError, content]) => [
    `"result":{"content":${content},"isError":${String(isError)}}`,
    `"jsonrpc":"2.0"`,
    `"id":${id}`,
  ]);
const errorResponse = fc
  .tuple(idSpelled, spelledNumber)
  .map(([id, code]) => [
    `"jsonrpc":"2.0"`,
    `"id":${id}`,
    `"error":{"code":${code},"message":"no","data":[1.0]}`,
  ]);

const validMessage: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(request, notification, result, errorResponse), ws, ws)
  .chain(([members, a, b]) =>
    fc
      .shuffledSubarray(members, { minLength: members.length })
      .map((ordered) => `${a}{${ordered.join(`${b},${a}`)}}${b}`),
  );

/** A valid message with one flaw spliced in anywhere: a control character, a bad escape, a stray byte. */
const flaw = fc.constantFrom(
  '\u0001',
  '\t',
  '\r',
  '\u001f',
  '\\x',
  '\\u12G4',
  '\\',
  '"',
  ',',
  '}',
  ']',
  '01',
  '.',
  'e',
  '-',
  '\ufeff',
  ' x',
);
const nearlyValid: fc.Arbitrary<Buffer> = fc
  .tuple(validMessage, flaw, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
  .map(([text, bad, at, utf8]) => {
    const bytes = Buffer.from(text, 'utf8');
    const i = Math.floor(bytes.length * at);
    const inserted = utf8 ? Buffer.from(bad, 'utf8') : Buffer.from([0xff]);
    return Buffer.concat([bytes.subarray(0, i), inserted, bytes.subarray(i)]);
  });

/** A flaw deep inside `params`, where the scanner validates without building values. */
const deepFlaw: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(
      '"a\u0001b"',
      '"a\tb"',
      '"\u007f ok"',
      '"a\\xb"',
      '"\\u12G4"',
      '"\\u12"',
      '"a\\"',
      '"\\ud800 ok"',
      '01',
      '1.',
      '.5',
      '-',
      '1e',
      '1e+',
      '+1',
      '0x1',
      'tru',
      'nul',
      'NaN',
      '[1,]',
      '{"a":1,}',
      '[',
      '{"a"}',
      '{"a":1 "b":2}',
      '"é"',
      '1E400',
    ),
    fc.string({ maxLength: 40 }),
    fc.nat({ max: 3 }),
  )
  .map(([bad, pad, where]) => {
    const padded = JSON.stringify(pad);
    const value =
      where === 0 ? bad : where === 1 ? `[${padded},${bad}]` : where === 2 ? `{"k":${bad}}` : `[[${bad}]]`;
    return Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":${padded},"b":${value}}}`);
  });

// Both decoding paths: the scanner (every frame scanned) and the whole-frame parse (small frames).
for (const [path, scanAbove] of [
  ['scanned', 0],
  ['parsed whole', Infinity],
] as const) {
  const decode = (chunks: Buffer[]): JSONRPCMessage | undefined => decodeFramedMessage(chunks, scanAbove);

  describe(`raw-frame mode (${path}): never accepts more than JSON.parse, and keeps the bytes`, () => {
    it('valid messages in every spelling are framed, equal to the parsed ones, and written back unchanged', () => {
      fc.assert(
        fc.property(validMessage, cuts, (text, at) => {
          const bytes = Buffer.from(text, 'utf8');
          const framed = decode(chunked(bytes, at));
          expect(framed).toBeDefined();
          expectSameAsOrdinary(framed as JSONRPCMessage, bytes);
        }),
        ciRun(400),
      );
    });

    it('an id splice: the receiver reads the message with the new id, the rest byte for byte', () => {
      fc.assert(
        fc.property(validMessage, cuts, fc.constantFrom('sb-1', 7, 'é"\u2028'), (text, at, id) => {
          const bytes = Buffer.from(text, 'utf8');
          const framed = decode(chunked(bytes, at)) as JSONRPCMessage;
          const plain = ordinary(bytes.toString('utf8')).message as JSONRPCMessage;
          const moved = withFrameId(framed as JSONRPCMessage & { id: RequestId }, id);
          expect(moved.id).toBe(id);
          if (!('id' in plain)) {
            expect(isFramedMessage(moved)).toBe(false);
            return;
          }
          const raw = rawEncodingOf(moved);
          expect(raw).toBeDefined();
          const out = Buffer.concat(raw?.parts ?? []).toString('utf8');
          // Everything but the id's bytes is the original text.
          const idBytes = JSON.stringify(id);
          const cut = out.indexOf(`"id":${idBytes}`) + 5;
          expect(cut).toBeGreaterThan(4);
          const original = trimJsonWs(bytes).toString('utf8');
          expect(out.slice(0, cut)).toBe(original.slice(0, cut));
          expect(original.endsWith(out.slice(cut + idBytes.length))).toBe(true);
          let expected: string;
          try {
            expected = JSON.stringify({ ...plain, id });
          } catch {
            return; // nested too deep for JSON.stringify: the bytes were the check
          }
          expect(JSON.stringify(JSON.parse(out))).toBe(expected);
          expect(progressTokenOf(moved)).toEqual(progressTokenOf(plain));
          expect(isToolErrorResult(moved)).toBe(isToolErrorResult(plain));
          // The original still reads as it arrived.
          expect(JSON.stringify(framed)).toBe(JSON.stringify(plain));
        }),
        ciRun(400),
      );
    });

    it('flaws deep inside params: refused exactly when JSON.parse refuses', () => {
      fc.assert(
        fc.property(deepFlaw, cuts, (bytes, at) => {
          const framed = decode(chunked(bytes, at));
          const plain = ordinary(bytes.toString('utf8')).message;
          expect(framed === undefined).toBe(plain === undefined);
          if (framed !== undefined) expectSameAsOrdinary(framed, bytes);
        }),
        ciRun(600),
      );
    });

    it('valid messages with one flaw: framed only when the ordinary path delivers them too', () => {
      let refused = 0;
      fc.assert(
        fc.property(nearlyValid, cuts, (bytes, at) => {
          const framed = decode(chunked(bytes, at));
          if (framed === undefined) {
            refused++;
            return;
          }
          expectSameAsOrdinary(framed, bytes);
        }),
        ciRun(1500),
      );
      expect(refused).toBeGreaterThan(0);
    });

    it('JSON-looking garbage: whatever is framed, the ordinary path delivers identically', () => {
      let framedCount = 0;
      fc.assert(
        fc.property(garbageFrame, cuts, (bytes, at) => {
          const framed = decode(chunked(bytes, at));
          if (framed === undefined) return;
          framedCount++;
          expectSameAsOrdinary(framed, bytes);
        }),
        ciRun(400),
      );
      // The garbage holds valid envelopes too: some of them took the framed path.
      expect(framedCount).toBeGreaterThan(0);
    });
  });
}

describe('raw-frame mode: decoders', () => {
  it('an NDJSON decoder in raw-frame mode gives the same messages and refusals as one without', () => {
    const outcomes = (raw: boolean | 'large', chunks: Buffer[]): string[] => {
      const seen: string[] = [];
      const cb: DecoderCallbacks = {
        onmessage: (m) => seen.push(`message ${JSON.stringify(plainMessage(m))}`),
        onerror: (e) => seen.push(`error ${e.code} ${JSON.stringify(e.details ?? {})} ${e.message}`),
      };
      const decoder = new NdjsonDecoder(cb, { maxMessageBytes: 4096, rawFrames: raw });
      for (const c of chunks) decoder.push(c);
      decoder.end();
      return seen;
    };
    fc.assert(
      fc.property(
        fc.oneof(
          garbageLines,
          validMessage.map((t) => Buffer.from(`${t}\n${t}\r\n`)),
        ),
        cuts,
        (bytes, at) => {
          const chunks = chunked(bytes, at);
          const plain = outcomes(false, chunks);
          expect(outcomes(true, chunks)).toEqual(plain);
          expect(outcomes('large', chunks)).toEqual(plain);
        },
      ),
      ciRun(300),
    );
  });

  it("scope 'large': frames above SCAN_ABOVE_BYTES arrive framed, smaller ones as plain parsed messages", () => {
    const got: JSONRPCMessage[] = [];
    const decoder = new NdjsonDecoder(
      { onmessage: (m) => got.push(m), onerror: (e) => expect.fail(e.message) },
      { rawFrames: 'large' },
    );
    const small = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { text: 'x' } });
    const large = JSON.stringify({ jsonrpc: '2.0', id: 2, result: { text: 'y'.repeat(SCAN_ABOVE_BYTES) } });
    // The large frame in several chunks, the small one's newline in the same chunk as its start.
    const bytes = Buffer.from(`${small}\n${large}\n`);
    for (let at = 0; at < bytes.length; at += 5_000) decoder.push(bytes.subarray(at, at + 5_000));
    expect(got.map((m) => isFramedMessage(m))).toEqual([false, true]);
    expect(got.map((m) => JSON.stringify(plainMessage(m)))).toEqual([small, large]);
    // Asked for all frames later, a decoder delivers small ones framed too.
    decoder.rawFrames = true;
    decoder.push(Buffer.from(`${small}\n`));
    expect(isFramedMessage(got[2] as JSONRPCMessage)).toBe(true);
  });
});
