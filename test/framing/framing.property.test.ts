import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SwitchboardError } from '../../src/errors.js';
import { LengthPrefixedDecoder, encodeLengthPrefixed } from '../../src/framing/length-prefix.js';
import { NdjsonDecoder, encodeNdjson } from '../../src/framing/ndjson.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';

// Property runs have a time budget as well as a run count, so they never dominate the suite.
const budget = { numRuns: 300, interruptAfterTimeLimit: 8_000 };

const jsonValue = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;
const message: fc.Arbitrary<JSONRPCMessage> = fc.oneof(
  fc.record({
    jsonrpc: fc.constant('2.0' as const),
    id: fc.oneof(fc.integer(), fc.string()),
    method: fc.string({ minLength: 1 }),
    params: fc.dictionary(fc.string(), jsonValue),
  }),
  fc.record({ jsonrpc: fc.constant('2.0' as const), method: fc.string({ minLength: 1 }) }),
  fc.record({
    jsonrpc: fc.constant('2.0' as const),
    id: fc.integer(),
    result: fc.dictionary(fc.string(), jsonValue),
  }),
);

/** Splits `bytes` at the given cut points (fractions), yielding arbitrary chunkings. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function run(
  make: (cb: { onmessage: (m: JSONRPCMessage) => void; onerror: (e: SwitchboardError) => void }) => {
    push(c: Buffer): void;
    end(): void;
    bufferedBytes: number;
  },
) {
  const messages: JSONRPCMessage[] = [];
  const errors: SwitchboardError[] = [];
  const d = make({ onmessage: (m) => messages.push(m), onerror: (e) => errors.push(e) });
  return { d, messages, errors };
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 });

describe('framing properties', () => {
  it('NDJSON: any chunking of a valid stream decodes to the same messages', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 30 }), cuts, fc.boolean(), (msgs, at, crlf) => {
        const text = msgs.map((m) => encodeNdjson(m).replace(/\n$/, crlf ? '\r\n' : '\n')).join('');
        const { d, messages, errors } = run((cb) => new NdjsonDecoder(cb));
        for (const chunk of split(Buffer.from(text), at)) d.push(chunk);
        d.end();
        expect(errors).toEqual([]);
        expect(messages).toEqual(msgs.map((m) => JSON.parse(JSON.stringify(m)) as JSONRPCMessage));
      }),
      budget,
    );
  });

  it('NDJSON: garbage never throws, never buffers past the cap, and valid messages after it arrive', () => {
    const max = 2048;
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 10_000 }),
        fc.array(message, { maxLength: 10 }),
        cuts,
        (garbage, msgs, at) => {
          const { d, messages } = run((cb) => new NdjsonDecoder(cb, { maxMessageBytes: max }));
          const valid = msgs.filter((m) => Buffer.byteLength(encodeNdjson(m)) <= max);
          const stream = Buffer.concat([
            Buffer.from(garbage),
            Buffer.from('\n'),
            Buffer.from(valid.map((m) => encodeNdjson(m)).join('')),
          ]);
          let peak = 0;
          for (const chunk of split(stream, at)) {
            d.push(chunk);
            peak = Math.max(peak, d.bufferedBytes);
          }
          d.end();
          expect(peak).toBeLessThanOrEqual(max + 1);
          // The garbage may itself contain valid lines; the valid tail must arrive intact and last.
          expect(messages.slice(messages.length - valid.length)).toEqual(
            valid.map((m) => JSON.parse(JSON.stringify(m)) as JSONRPCMessage),
          );
        },
      ),
      budget,
    );
  });

  it('length-prefixed: any chunking decodes to the same messages; garbage frames are skipped', () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 20 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }),
        cuts,
        (msgs, junk, at) => {
          const frames = [
            ...junk.map((j) => {
              const b = Buffer.alloc(4 + j.length);
              b.writeUInt32BE(j.length, 0);
              Buffer.from(j).copy(b, 4);
              return b;
            }),
            ...msgs.map((m) => encodeLengthPrefixed(m)),
          ];
          const { d, messages } = run((cb) => new LengthPrefixedDecoder(cb, { maxMessageBytes: 1 << 20 }));
          for (const chunk of split(Buffer.concat(frames), at)) d.push(chunk);
          d.end();
          expect(messages.slice(messages.length - msgs.length)).toEqual(
            msgs.map((m) => JSON.parse(JSON.stringify(m)) as JSONRPCMessage),
          );
        },
      ),
      budget,
    );
  });
});
