import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SwitchboardError } from '../../src/errors.js';
import { NdjsonDecoder } from '../../src/framing/ndjson.js';
import { parseFrame } from '../../src/framing/frame-parser.js';
import { recoverEnvelope } from '../../src/framing/recover-envelope.js';
import { isRequestId, type JSONRPCMessage } from '../../src/protocol/messages.js';
import { anyCodeUnit, ciRun, garbageText } from '../fuzz/json-garbage.js';

const recover = (text: string): ReturnType<typeof recoverEnvelope> =>
  recoverEnvelope(text.slice(0, 1024), text.slice(-1024));

describe('recoverEnvelope', () => {
  // The frame that took the process down: an invalid escape in a string id of a truncated request.
  it.each([
    ['invalid escape in a string id', '{"jsonrpc":"2.0","id":"\\x41","method":'],
    ['short \\u escape', '{"jsonrpc":"2.0","id":"\\u12","method":"ping"'],
    ['raw control character in the id', '{"jsonrpc":"2.0","id":"a\u0001b","method":'],
    ['raw newline in the id', '{"jsonrpc":"2.0","id":"a\nb","method":'],
    ['lone backslash at the end', '{"jsonrpc":"2.0","id":"\\'],
    ['invalid escape in a trailing id', '{"jsonrpc":"2.0","method":"ping","params":{,"id":"\\q"}'],
  ])('never throws and recovers no id: %s', (_name, text) => {
    const env = recover(text);
    expect(env.id).toBeUndefined();
    expect(['request', 'notification', 'unknown']).toContain(env.kind);
  });

  it('recovers valid ids, escapes included, from the head and from the tail', () => {
    expect(recover('{"jsonrpc":"2.0","id":"a\\"b\\u00e9","method":"x","params":{')).toEqual({
      kind: 'request',
      id: 'a"bé',
    });
    expect(recover('{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"a":[1,')).toEqual({
      kind: 'request',
      id: 42,
    });
    expect(recover('{"jsonrpc":"2.0","method":"m","params":{"x":tru},"id":"t\\\\"}')).toEqual({
      kind: 'request',
      id: 't\\',
    });
    expect(recover('{"jsonrpc":"2.0","result":{"x":nul},"id":7}')).toEqual({ kind: 'response', id: 7 });
    // An escaped lone surrogate is valid JSON (JSON.parse keeps it): so is the id.
    expect(recover('{"jsonrpc":"2.0","id":"\\ud800","method":')).toEqual({ kind: 'request', id: '\ud800' });
  });

  it('refuses ids that are not ids: huge numbers, cut-off numbers, oversized strings, objects', () => {
    expect(recover('{"jsonrpc":"2.0","id":1e999,"method":').id).toBeUndefined();
    expect(recover('{"jsonrpc":"2.0","id":12').id).toBeUndefined(); // may have been 123
    expect(recover(`{"jsonrpc":"2.0","id":"${'i'.repeat(600)}","method":`).id).toBeUndefined();
    expect(recover('{"jsonrpc":"2.0","id":{"x":1},"method":').id).toBeUndefined();
    expect(recover('{"jsonrpc":"2.0","method":"m","params":[,"id":1e400}').id).toBeUndefined();
  });

  it('reads __proto__, duplicate keys and deep nesting as plain text', () => {
    expect(recover('{"__proto__":{"id":9},"id":5,"method":"x","params":[')).toEqual({
      kind: 'request',
      id: 5,
    });
    // The last duplicate wins, as with JSON.parse; an invalid last one means no id.
    expect(recover('{"id":1,"id":2,"method":"x","params":{').id).toBe(2);
    expect(recover('{"id":1,"id":"\\x","method":"x","params":{').id).toBeUndefined();
    const deep = `{"jsonrpc":"2.0","method":"m","params":${'['.repeat(100_000)}`;
    expect(recoverEnvelope(deep.slice(0, 1024), deep.slice(-1024))).toEqual({ kind: 'notification' });
  });

  it('never throws on JSON-looking garbage, and what it recovers is a valid id', () => {
    fc.assert(
      fc.property(
        fc.tuple(garbageText, garbageText),
        fc.string({ unit: anyCodeUnit, maxLength: 64 }),
        ([a, b], c) => {
          for (const [head, tail] of [
            [a, b],
            [a + c, c + b],
            [c, c],
          ] as const) {
            const env = recoverEnvelope(head.slice(0, 1024), tail.slice(-1024));
            if (env.id !== undefined) expect(isRequestId(env.id)).toBe(true);
          }
        },
      ),
      ciRun(400),
    );
  });

  it('a truncated request keeps its id once the id is complete', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string({ maxLength: 30 })),
        fc.jsonValue({ maxDepth: 2 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (id, params, cut) => {
          const text = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { params } });
          const idEnd = text.indexOf(',"method"');
          const at = idEnd + 1 + Math.floor((text.length - idEnd - 2) * cut);
          const env = recover(text.slice(0, at));
          expect(env.id).toEqual(id);
          // Cut before "method" was read, the kind is not known yet.
          expect(env.kind).toBe(at >= idEnd + 9 ? 'request' : 'unknown');
        },
      ),
      ciRun(300),
    );
  });
});

describe('parseFrame and the NDJSON decoder with hostile frames and throwing handlers', () => {
  it('the frame that used to escape a data handler is answered as a parse error', () => {
    const errors: SwitchboardError[] = [];
    const decoder = new NdjsonDecoder({ onmessage: () => undefined, onerror: (e) => errors.push(e) });
    expect(() => decoder.push(Buffer.from('{"jsonrpc":"2.0","id":"\\x41","method":\n'))).not.toThrow();
    expect(errors.map((e) => [e.code, e.details.messageKind, e.details.requestId])).toEqual([
      ['PARSE_ERROR', 'request', undefined],
    ]);
  });

  it('a throwing onmessage is reported through onerror and the next frame still arrives', () => {
    const seen: JSONRPCMessage[] = [];
    const errors: SwitchboardError[] = [];
    let first = true;
    const decoder = new NdjsonDecoder({
      onmessage: (m) => {
        if (first) {
          first = false;
          throw new Error('handler bug');
        }
        seen.push(m);
      },
      onerror: (e) => errors.push(e),
    });
    decoder.push(Buffer.from('{"jsonrpc":"2.0","method":"a"}\n{"jsonrpc":"2.0","method":"b"}\n'));
    expect(seen.map((m) => m.method)).toEqual(['b']);
    expect(errors[0]?.code).toBe('INTERNAL');
    expect(errors[0]?.message).toMatch(/handler bug/);
  });

  it('a throwing onerror is contained too', () => {
    expect(() =>
      parseFrame('{"jsonrpc":"2.0","id":"\\x41","method":', {
        onmessage: () => {
          throw new Error('x');
        },
        onerror: () => {
          throw new Error('y');
        },
      }),
    ).not.toThrow();
    expect(() =>
      parseFrame('{"jsonrpc":"2.0","method":"ok"}', {
        onmessage: () => {
          throw new Error('x');
        },
        onerror: () => {
          throw new Error('y');
        },
      }),
    ).not.toThrow();
  });
});
