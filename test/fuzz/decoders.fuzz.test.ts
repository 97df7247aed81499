/**
 * Every decoder of the library against JSON-looking garbage (fixed seed): it never throws — not even
 * when its own callbacks throw —, never holds more than its cap, returns its budget share, and a valid
 * message after the garbage still arrives.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SwitchboardError } from '../../src/errors.js';
import { BufferBudget } from '../../src/framing/buffer-budget.js';
import { parseFrame, type DecoderCallbacks, type FrameDecoder } from '../../src/framing/frame-parser.js';
import { LengthPrefixedDecoder } from '../../src/framing/length-prefix.js';
import { NdjsonDecoder } from '../../src/framing/ndjson.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { MessageSink } from '../../src/transports/http/client/message-sink.js';
import { readSseStream } from '../../src/transports/http/client/sse-stream-reader.js';
import { chunked, ciRun, garbageFrame, garbageLines, garbageSse, garbageText } from './json-garbage.js';

const SENTINEL = { jsonrpc: '2.0', id: 'sentinel-1', method: 'ping' } as const;
const MAX = 64 * 1024;

const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** Callbacks that record, and (when `hostile`) throw from both handlers every other call. */
function recorder(
  hostile: boolean,
): DecoderCallbacks & { messages: JSONRPCMessage[]; errors: SwitchboardError[] } {
  const messages: JSONRPCMessage[] = [];
  const errors: SwitchboardError[] = [];
  let n = 0;
  return {
    messages,
    errors,
    onmessage: (m) => {
      messages.push(m);
      if (hostile && n++ % 2 === 0 && m.id !== SENTINEL.id) throw new Error('handler bug');
    },
    onerror: (e) => {
      errors.push(e);
      if (hostile && n++ % 2 === 0) throw new Error('error handler bug');
    },
  };
}

function feed(decoder: FrameDecoder, chunks: Buffer[], max: number): void {
  for (const c of chunks) {
    expect(() => decoder.push(c)).not.toThrow();
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(max + 1);
  }
}

describe('fuzz: decoders never throw and keep going', () => {
  it('NDJSON: garbage lines, then a valid message; with throwing handlers and a shared budget', () => {
    fc.assert(
      fc.property(garbageLines, cuts, fc.boolean(), (garbage, at, hostile) => {
        const budget = new BufferBudget(3 * MAX);
        const lease = budget.lease();
        const cb = recorder(hostile);
        const decoder = new NdjsonDecoder(cb, { maxMessageBytes: MAX, budget: lease });
        const stream = Buffer.concat([garbage, Buffer.from(`\n${JSON.stringify(SENTINEL)}\n`)]);
        feed(decoder, chunked(stream, at), MAX);
        expect(cb.messages.at(-1)).toEqual(SENTINEL);
        expect(decoder.inFrame).toBe(false);
        expect(budget.used).toBe(0);
        decoder.dispose();
        expect(budget.used).toBe(0);
      }),
      ciRun(150),
    );
  });

  it('length-prefixed: garbage frames (valid lengths), then a valid message', () => {
    fc.assert(
      fc.property(fc.array(garbageFrame, { maxLength: 4 }), cuts, fc.boolean(), (frames, at, hostile) => {
        const cb = recorder(hostile);
        const budget = new BufferBudget(2 * MAX);
        const decoder = new LengthPrefixedDecoder(cb, { maxMessageBytes: MAX, budget: budget.lease() });
        const encode = (body: Buffer): Buffer => {
          const header = Buffer.alloc(4);
          header.writeUInt32BE(body.length, 0);
          return Buffer.concat([header, body]);
        };
        const stream = Buffer.concat([...frames.map(encode), encode(Buffer.from(JSON.stringify(SENTINEL)))]);
        feed(decoder, chunked(stream, at), MAX);
        expect(cb.messages.at(-1)).toEqual(SENTINEL);
        expect(budget.used).toBe(0);
      }),
      ciRun(150),
    );
  });

  it('parseFrame (WebSocket messages, HTTP bodies): one outcome per frame, never a throw', () => {
    fc.assert(
      fc.property(garbageText, fc.boolean(), (text, hostile) => {
        const cb = recorder(hostile);
        expect(() => parseFrame(text, cb)).not.toThrow();
        const outcomes = cb.messages.length + cb.errors.filter((e) => e.code !== 'INTERNAL').length;
        expect(outcomes).toBe(text.trim() === '' ? 0 : 1);
      }),
      ciRun(200),
    );
  });

  it('SSE reader + message sink (HTTP client): garbage events, then a valid one, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(garbageSse, cuts, async (garbage, at) => {
        const delivered: JSONRPCMessage[] = [];
        const reported: Error[] = [];
        const sink = new MessageSink({
          deliver: (m) => delivered.push(m),
          report: (e) => reported.push(e),
          reply: () => undefined,
        });
        const bytes = Buffer.from(`${garbage}\n\ndata: ${JSON.stringify(SENTINEL)}\n\n`);
        const body = Readable.from(chunked(bytes, at).map((c) => new Uint8Array(c)));
        await readSseStream(body, { onEvent: (e) => sink.event(e), onFault: (e) => reported.push(e) }, MAX);
        expect(delivered.at(-1)).toEqual(SENTINEL);
        expect(reported.filter((e) => (e as SwitchboardError).code === 'INTERNAL')).toEqual([]);
      }),
      ciRun(100),
    );
  });

  it('SSE reader: a throwing event handler is reported and the stream goes on', async () => {
    const seen: string[] = [];
    const faults: SwitchboardError[] = [];
    const body = Readable.from([new Uint8Array(Buffer.from('data: one\n\ndata: two\n\ndata: three\n\n'))]);
    await readSseStream(body, {
      onEvent: (e) => {
        if (e.data === 'two') throw new Error('handler bug');
        seen.push(e.data);
      },
      onFault: (e) => faults.push(e),
    });
    expect(seen).toEqual(['one', 'three']);
    expect(faults.map((f) => f.code)).toEqual(['INTERNAL']);
  });
});
