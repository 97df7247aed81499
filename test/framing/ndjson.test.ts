import { describe, expect, it } from 'vitest';
import type { SwitchboardError } from '../../src/errors.js';
import { NdjsonDecoder, encodeNdjson } from '../../src/framing/ndjson.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';

function decode(chunks: (string | Buffer)[], maxMessageBytes?: number) {
  const messages: JSONRPCMessage[] = [];
  const errors: SwitchboardError[] = [];
  const d = new NdjsonDecoder(
    { onmessage: (m) => messages.push(m), onerror: (e) => errors.push(e) },
    maxMessageBytes === undefined ? {} : { maxMessageBytes },
  );
  for (const c of chunks) d.push(typeof c === 'string' ? Buffer.from(c) : c);
  d.end();
  return { messages, errors, decoder: d };
}

const ping = (id: number) => `{"jsonrpc":"2.0","id":${id},"method":"ping"}`;

describe('NdjsonDecoder', () => {
  it('splits on \\n and strips a trailing \\r', () => {
    const { messages, errors } = decode([`${ping(1)}\r\n${ping(2)}\n`]);
    expect(errors).toEqual([]);
    expect(messages.map((m) => m.id)).toEqual([1, 2]);
  });

  it('delivers an unterminated final line at end()', () => {
    const { messages } = decode([`${ping(1)}\n${ping(2)}`]);
    expect(messages.map((m) => m.id)).toEqual([1, 2]);
  });

  it('reassembles a UTF-8 character split across chunks', () => {
    const line = Buffer.from(`{"jsonrpc":"2.0","method":"m","params":{"t":"€🌍"}}\n`);
    const euro = line.indexOf(Buffer.from('€'));
    // Split inside the 3-byte euro sign and inside the 4-byte emoji.
    const { messages, errors } = decode([
      line.subarray(0, euro + 1),
      line.subarray(euro + 1, euro + 5),
      line.subarray(euro + 5),
    ]);
    expect(errors).toEqual([]);
    expect(messages[0]?.params).toEqual({ t: '€🌍' });
  });

  it('ignores blank lines', () => {
    const { messages, errors } = decode([`\n\r\n   \n${ping(1)}\n`]);
    expect(errors).toEqual([]);
    expect(messages).toHaveLength(1);
  });

  it('reports a non-JSON line and goes on; a request whose id is recoverable is identified', () => {
    const { messages, errors } = decode([
      `not json\n{"jsonrpc":"2.0","id":7,"method":"x", BROKEN\n${ping(3)}\n`,
    ]);
    expect(messages.map((m) => m.id)).toEqual([3]);
    expect(errors.map((e) => e.code)).toEqual(['PARSE_ERROR', 'PARSE_ERROR']);
    expect(errors[0]?.details.requestId).toBeUndefined();
    expect(errors[1]?.details).toMatchObject({ requestId: 7, messageKind: 'request' });
  });

  it('reports JSON that is not JSON-RPC as INVALID_MESSAGE with the id when present', () => {
    const { messages, errors } = decode([
      '{"jsonrpc":"1.0","id":"a","method":"x"}\n[1,2]\n42\n{"jsonrpc":"2.0","id":1}\n' + ping(9) + '\n',
    ]);
    expect(messages.map((m) => m.id)).toEqual([9]);
    expect(errors.map((e) => e.code)).toEqual([
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
    ]);
    expect(errors[0]?.details).toMatchObject({ requestId: 'a', messageKind: 'request' });
  });

  it('skips an oversized line to its end, reports it once with its id, and keeps going', () => {
    const max = 1024;
    const big = `{"jsonrpc":"2.0","method":"tools/call","params":{"x":"${'y'.repeat(5000)}"},"id":42}`;
    // Feed the big line in many small chunks so the cap is hit mid-line.
    const chunks: string[] = [];
    const all = `${ping(1)}\n${big}\n${ping(2)}\n`;
    for (let i = 0; i < all.length; i += 100) chunks.push(all.slice(i, i + 100));
    const { messages, errors, decoder } = decode(chunks, max);
    expect(messages.map((m) => m.id)).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('FRAME_TOO_LARGE');
    expect(errors[0]?.details).toMatchObject({
      requestId: 42,
      messageKind: 'request',
      size: big.length,
      limit: max,
    });
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('recognises an oversized response by its leading "result" key', () => {
    const big = `{"result":{"content":"${'z'.repeat(3000)}"},"jsonrpc":"2.0","id":"r-1"}\n`;
    const { errors } = decode([big], 512);
    expect(errors[0]?.details).toMatchObject({ requestId: 'r-1', messageKind: 'response' });
  });

  it('accepts a line exactly at the cap, with or without CR', () => {
    const base = `{"jsonrpc":"2.0","method":"m","params":{"p":""}}`;
    const pad = 'a'.repeat(200 - base.length);
    const line = `{"jsonrpc":"2.0","method":"m","params":{"p":"${pad}"}}`;
    expect(Buffer.byteLength(line)).toBe(200);
    expect(decode([`${line}\n`], 200).messages).toHaveLength(1);
    expect(decode([`${line}\r\n`], 200).messages).toHaveLength(1);
    expect(decode([`${line} \n`], 200).errors[0]?.code).toBe('FRAME_TOO_LARGE');
  });

  it('never buffers more than the cap while an oversized line streams in', () => {
    const max = 4096;
    const d = new NdjsonDecoder(
      { onmessage: () => undefined, onerror: () => undefined },
      { maxMessageBytes: max },
    );
    let peak = 0;
    for (let i = 0; i < 1000; i++) {
      d.push(Buffer.alloc(1000, 0x61));
      peak = Math.max(peak, d.bufferedBytes);
    }
    expect(peak).toBeLessThanOrEqual(max);
  });

  it('rejects invalid maxMessageBytes', () => {
    expect(
      () =>
        new NdjsonDecoder({ onmessage: () => undefined, onerror: () => undefined }, { maxMessageBytes: 1 }),
    ).toThrow(/maxMessageBytes/);
  });
});

describe('encodeNdjson', () => {
  it('emits exactly one line, with newlines inside strings escaped', () => {
    const line = encodeNdjson({ jsonrpc: '2.0', method: 'm', params: { t: 'a\nb\r\nc\u2028' } });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
    expect(JSON.parse(line)).toEqual({ jsonrpc: '2.0', method: 'm', params: { t: 'a\nb\r\nc\u2028' } });
  });

  it('refuses a message over the cap with FRAME_TOO_LARGE', () => {
    expect(() => encodeNdjson({ jsonrpc: '2.0', method: 'm', params: { t: 'x'.repeat(500) } }, 200)).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }) as Error,
    );
  });
});
