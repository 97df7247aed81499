import { describe, expect, it } from 'vitest';
import type { SwitchboardError } from '../../src/errors.js';
import { LengthPrefixedDecoder, encodeLengthPrefixed } from '../../src/framing/length-prefix.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';

function decoder(max?: number) {
  const messages: JSONRPCMessage[] = [];
  const errors: SwitchboardError[] = [];
  const d = new LengthPrefixedDecoder(
    { onmessage: (m) => messages.push(m), onerror: (e) => errors.push(e) },
    max === undefined ? {} : { maxMessageBytes: max },
  );
  return { d, messages, errors };
}

describe('length-prefixed codec', () => {
  it('round-trips messages fed byte by byte', () => {
    const { d, messages } = decoder();
    const msgs: JSONRPCMessage[] = [
      { jsonrpc: '2.0', id: 1, method: 'a', params: { s: 'é\n' } },
      { jsonrpc: '2.0', id: 1, result: {} },
    ];
    const bytes = Buffer.concat(msgs.map((m) => encodeLengthPrefixed(m)));
    for (let i = 0; i < bytes.length; i++) d.push(bytes.subarray(i, i + 1));
    expect(messages).toEqual(msgs);
  });

  it('checks the declared length against the cap before allocating, skips exactly, and goes on', () => {
    const { d, messages, errors } = decoder(256);
    const big = encodeLengthPrefixed({ jsonrpc: '2.0', method: 'm', params: { x: 'q'.repeat(1000) }, id: 5 });
    const after = encodeLengthPrefixed({ jsonrpc: '2.0', id: 6, method: 'ping' });
    d.push(Buffer.concat([big.subarray(0, 10)]));
    expect(d.bufferedBytes).toBe(0);
    d.push(Buffer.concat([big.subarray(10), after]));
    expect(errors.map((e) => e.code)).toEqual(['FRAME_TOO_LARGE']);
    expect(errors[0]?.details).toMatchObject({ requestId: 5, messageKind: 'request' });
    expect(messages.map((m) => m.id)).toEqual([6]);
  });

  it('reports a stream that ends inside a frame', () => {
    const { d, errors } = decoder();
    d.push(encodeLengthPrefixed({ jsonrpc: '2.0', method: 'm' }).subarray(0, 7));
    d.end();
    expect(errors.map((e) => e.code)).toEqual(['PARSE_ERROR']);
  });

  it('refuses to encode a message over the cap', () => {
    expect(() => encodeLengthPrefixed({ jsonrpc: '2.0', method: 'x'.repeat(100) }, 50)).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }) as Error,
    );
  });
});
