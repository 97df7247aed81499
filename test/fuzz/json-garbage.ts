/**
 * Grammar-aware hostile input: JSON that *looks* like JSON-RPC but breaks it in the ways parsers and
 * envelope scanners trip over — truncation, invalid escapes, raw control characters, lone surrogates,
 * huge numbers, deep nesting, duplicate and `__proto__` keys, oversized ids, invalid UTF-8 — mixed with
 * valid messages. Used by the fuzz suites (fixed seed) and scripts/fuzz-random.ts (random seeds).
 */
import fc from 'fast-check';

/** Text that breaks a JSON string from the inside. */
const badStringBody = fc.constantFrom(
  '\\x41',
  '\\u12',
  '\\u12G4',
  '\\q',
  '\\',
  '\\\\\\',
  '\u0001',
  '\u0000',
  '\t',
  '\n',
  '\r',
  '\u001f',
  '\ud800',
  '\udfff',
  '\\ud800',
  '\\udc00\\ud800',
  '\u2028\u2029',
  '\ufeff',
  '"',
  '\\"',
  '\\/',
);

/** Numbers JSON allows but JavaScript cannot hold, and numbers JSON does not allow at all. */
const oddNumber = fc.constantFrom(
  '1e999',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890',
  '-0',
  '0.1e',
  '1.',
  '.5',
  '01',
  '+1',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '9007199254740993',
);

const keyName = fc.constantFrom(
  'jsonrpc',
  'id',
  'method',
  'params',
  'result',
  'error',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '_meta',
  'progressToken',
  '',
);

const methodName = fc.constantFrom(
  'ping',
  'initialize',
  'tools/list',
  'tools/call',
  'notifications/cancelled',
  'notifications/initialized',
  'resources/read',
  '',
  'x'.repeat(300),
);

/** A string token: valid, or broken inside, or oversized. */
const stringToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 8 }), badStringBody, fc.string({ maxLength: 8 }))
      .map(([a, bad, b]) => `"${a}${bad}${b}"`),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((n) => `"${'i'.repeat(n)}"`) },
);

const idToken: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  stringToken,
  oddNumber,
  fc.constantFrom('null', 'true', '{}', '[]', '[1]', '{"id":1}'),
);

/** Nesting depths: mostly shallow, sometimes deep enough to overflow a recursive walker's stack. */
const nesting = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 64 }) },
  { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 20_000 }) },
);

/** A JSON-ish value of bounded size, possibly broken. */
const valueToken: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    stringToken,
    oddNumber,
    fc.integer().map(String),
    fc.constantFrom('null', 'true', 'false', 'nul', 'tru', '{', '}', '[', ']', ',', ':'),
    nesting.map((n) => '['.repeat(n) + ']'.repeat(n)),
    nesting.map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    nesting.map((n) => '['.repeat(n)),
    fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`),
    fc
      .array(fc.tuple(keyName, tie('value')), { maxLength: 3 })
      .map((kvs) => `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** A JSON-RPC-looking object: members in any order, duplicated, with odd ids and values. */
const envelope: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constant('"jsonrpc":"2.0"'),
      fc.constantFrom('"jsonrpc":"1.0"', '"jsonrpc":2', '"jsonrpc":null'),
      idToken.map((id) => `"id":${id}`),
      methodName.map((m) => `"method":${JSON.stringify(m)}`),
      valueToken.map((v) => `"params":${v}`),
      valueToken.map((v) => `"result":${v}`),
      valueToken.map((v) => `"error":${v}`),
      fc.tuple(keyName, valueToken).map(([k, v]) => `${JSON.stringify(k)}:${v}`),
    ),
    { minLength: 1, maxLength: 7 },
  )
  .map((members) => `{${members.join(',')}}`);

/** A string id broken inside (what envelope recovery must read without throwing). */
const badIdString = fc
  .tuple(fc.string({ maxLength: 6 }), badStringBody, fc.string({ maxLength: 6 }))
  .map(([a, bad, b]) => `"${a}${bad}${b}"`.replace(/\n/g, '\u0001'));

/**
 * A request whose id comes first and is broken, cut anywhere after it: the frame that used to take the
 * process down from envelope recovery.
 */
const badIdFirst: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('{"jsonrpc":"2.0","id":', '{"id":', '{ "jsonrpc" : "2.0" , "id" : '),
    badIdString,
    envelope,
  )
  .map(([start, id, rest]) => `${start}${id},${rest.slice(1, Math.max(1, rest.length - 1))}`)
  .chain((text) =>
    fc.nat({ max: text.length }).map((cut) => text.slice(0, Math.max(cut, text.indexOf(',') + 1))),
  );

/** One frame's text: an envelope, maybe truncated, maybe with a junk suffix; or a bare value. */
const frameText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: envelope },
  { weight: 3, arbitrary: badIdFirst },
  {
    weight: 4,
    arbitrary: fc
      .tuple(envelope, fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([text, cut]) => text.slice(0, Math.floor(text.length * cut))),
  },
  { weight: 1, arbitrary: fc.tuple(envelope, valueToken).map(([a, b]) => a + b) },
  { weight: 2, arbitrary: valueToken },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '\r', '\t\t', '[]', '[{"jsonrpc":"2.0","method":"ping"}]'),
  },
  // Rare and large: nesting past any recursive parser's or serialiser's stack, inside a valid envelope.
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100_000, max: 200_000 })
      .map(
        (n) =>
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`,
      ),
  },
);

/** Bytes that are not valid UTF-8 (or only partly). */
const badUtf8 = fc.constantFrom(
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf0, 0x9f, 0x98]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0x00]),
  Buffer.from([0xfe, 0xff]),
);

/** One hostile frame as bytes: JSON-looking text, sometimes with invalid UTF-8 spliced in. */
export const garbageFrame: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: frameText.map((t) => Buffer.from(t, 'utf8')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(frameText, badUtf8, fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([t, bad, at]) => {
        const bytes = Buffer.from(t, 'utf8');
        const i = Math.floor(bytes.length * at);
        return Buffer.concat([bytes.subarray(0, i), bad, bytes.subarray(i)]);
      }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
);

/** Several hostile frames for one NDJSON stream (joined with LF, CRLF or nothing). */
export const garbageLines: fc.Arbitrary<Buffer> = fc
  .array(fc.tuple(garbageFrame, fc.constantFrom('\n', '\r\n', '\n\n', '')), { minLength: 1, maxLength: 5 })
  .map((parts) => Buffer.concat(parts.flatMap(([frame, sep]) => [frame, Buffer.from(sep)])));

/** Text of hostile frames (for WebSocket text messages, HTTP bodies, SSE data): valid UTF-8. */
export const garbageText: fc.Arbitrary<string> = frameText;

/** Hostile SSE stream text: garbage in `data:` lines, odd fields, broken event framing. */
export const garbageSse: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      frameText.map((t) => `data: ${t.replace(/[\r\n]/g, ' ')}\n\n`),
      frameText.map((t) => `event: message\ndata: ${t.replace(/[\r\n]/g, ' ')}\n\n`),
      frameText.map((t) => `data: ${t.replace(/[\r\n]/g, '\ndata: ')}\n\n`),
      fc.constantFrom('retry: abc\n\n', 'id: \u0000\n\n', ': comment\n', 'event: \n\n', 'data\n\n', '\r\r\r'),
      fc.constantFrom('event: endpoint\ndata: http://[\n\n', 'event: endpoint\ndata: //evil\n\n'),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((xs) => xs.join(''));

/** fast-check settings of the CI runs: a fixed seed (reproducible) and a bounded count. */
export function ciRun(numRuns: number): fc.Parameters<unknown> {
  return { seed: 0x5eed_cafe, numRuns, endOnFailure: true };
}

/** Any UTF-16 code unit, lone surrogates included (fast-check's `unit: 'binary'` is slow). */
export const anyCodeUnit: fc.Arbitrary<string> = fc
  .integer({ min: 0, max: 0xffff })
  .map((c) => String.fromCharCode(c));

/** Splits bytes at the given cut points (taken modulo its length + 1; anywhere, inside characters too). */
export function chunked(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}
