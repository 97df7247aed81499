/**
 * Framed messages keep their bytes only while they are exactly as delivered: every way a stage can change
 * a message (read-then-mutate, assign, delete, redefine, change the id, add a member, swap the prototype)
 * makes it serialise as JSON again, so the original bytes can never go out stale.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeFramedMessage,
  isFramedMessage,
  paramOf,
  plainMessage,
  progressTokenOf,
  rawEncodingOf,
  withFrameId,
} from '../../src/framing/frame-message.js';
import { encodeNdjson } from '../../src/framing/ndjson.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';

const TEXT =
  '{"jsonrpc":"2.0","id":1.0,"method":"tools/call","params":{"_meta":{"progressToken":"p"},"name":"echo","arguments":{"n":1e3,"s":"\\u00e9\u2028\\u2028"}}}';

function framed(text = TEXT): JSONRPCMessage {
  const m = decodeFramedMessage([Buffer.from(text)]);
  if (m === undefined) throw new Error('not framed');
  return m;
}

const rawText = (m: JSONRPCMessage): string | undefined => {
  const raw = rawEncodingOf(m);
  return raw === undefined ? undefined : Buffer.concat(raw.parts).toString('utf8');
};

describe('framed messages', () => {
  it('untouched: the original bytes, and the envelope read without parsing params', () => {
    const m = framed();
    expect(m.jsonrpc).toBe('2.0');
    expect(m.id).toBe(1);
    expect(m.method).toBe('tools/call');
    expect(progressTokenOf(m)).toBe('p');
    expect(paramOf(m, 'name')).toBe('echo');
    expect(rawText(m)).toBe(TEXT);
    expect(isFramedMessage(m)).toBe(true);
  });

  it('reading params (someone may change what they got) ends the raw bytes; the value is right', () => {
    const m = framed();
    const params = m.params as { arguments: { n: number } };
    expect(rawText(m)).toBeUndefined();
    params.arguments.n = 2;
    expect(JSON.parse(encodeNdjson(m))).toMatchObject({ params: { arguments: { n: 2 } } });
    // Facts now come from the object, which may have changed.
    (m.params as { name: string }).name = 'other';
    expect(paramOf(m, 'name')).toBe('other');
  });

  it('every change of the top level ends the raw bytes', () => {
    const changes: ((m: Record<string, unknown>) => void)[] = [
      (m) => (m.params = { replaced: true }),
      (m) => delete m.params,
      (m) => {
        delete m.params;
        m.params = { readded: true };
      },
      (m) => Object.defineProperty(m, 'params', { value: {}, enumerable: true, configurable: true }),
      (m) => (m.id = 2),
      (m) => (m.method = 'ping'),
      (m) => (m.extra = 1),
      (m) => delete m.jsonrpc,
      (m) => {
        Object.setPrototypeOf(m, { toJSON: () => ({}) });
      },
    ];
    for (const change of changes) {
      const m = framed();
      change(m);
      expect(rawText(m), change.toString()).toBeUndefined();
    }
  });

  it('copies (spread, JSON round trip) are plain objects with the same value', () => {
    const m = framed();
    const copy = { ...m };
    expect(isFramedMessage(copy)).toBe(false);
    expect(copy).toEqual(JSON.parse(TEXT));
    expect(JSON.parse(JSON.stringify(framed()))).toEqual(JSON.parse(TEXT));
    expect(plainMessage(framed())).toEqual(JSON.parse(TEXT));
  });

  it('an id translation splices the id bytes and keeps everything else as it was', () => {
    const m = framed();
    const moved = withFrameId(m, 'backend-7');
    expect(moved.id).toBe('backend-7');
    expect(rawText(moved)).toBe(TEXT.replace('"id":1.0', '"id":"backend-7"'));
    // The original is untouched and still framed.
    expect(rawText(m)).toBe(TEXT);
    // A changed message is copied the ordinary way.
    (m.params as Record<string, unknown>).x = 1;
    const plain = withFrameId(m, 3);
    expect(rawText(plain)).toBeUndefined();
    expect(plain).toMatchObject({ id: 3, params: { x: 1 } });
  });

  it('a frame with a line break between tokens keeps its bytes but says it is not one line', () => {
    const m = framed('{"jsonrpc":"2.0",\n"method":"ping"}');
    expect(rawEncodingOf(m)?.singleLine).toBe(false);
    expect(encodeNdjson(m)).toBe('{"jsonrpc":"2.0","method":"ping"}\n');
  });
});
