/**
 * The legacy-facing stage writes a bridged request from the envelope's prebuilt text: whatever params a
 * 2025 client sends (JSON-looking keys, `__proto__`, escapes, `\u2028`, its own `_meta`), the text a
 * framing writes is exactly `JSON.stringify` of the request object the stage built. And it asks its
 * backend connection for framed messages only where it uses their bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LegacyFacingStage } from '../../src/era/legacy-facing-stage.js';
import { encodedTextOf } from '../../src/framing/encoded-text.js';
import { encodeNdjson } from '../../src/framing/ndjson.js';
import { RAW_FRAMES, type RawFrameScope } from '../../src/framing/raw-frame-mode.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';

/** A backend connection that keeps the message objects it is given (no copy). */
function capturing(): Transport & { sent: JSONRPCMessage[] } {
  const sent: JSONRPCMessage[] = [];
  return {
    sent,
    start: () => Promise.resolve(),
    send: (message: JSONRPCMessage) => {
      sent.push(message);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

const key = fc.oneof(
  fc.string(),
  fc.constantFrom('_meta', '__proto__', 'name', 'arguments', 'a\u2028b', 'é', '"', '\\', 'constructor'),
);
const value = fc.jsonValue({ maxDepth: 3 });
/** Params as a client's frame gives them: the text of an object, parsed (so `__proto__` is a member). */
const paramsText = fc.option(
  fc
    .array(fc.tuple(key, value), { maxLength: 6 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`),
  { nil: undefined },
);

describe('bridged request text', () => {
  it('is exactly JSON.stringify of the request, for any params', async () => {
    const inner = capturing();
    const stage = new LegacyFacingStage(inner, { backendEra: () => Promise.resolve('modern') });
    stage.onmessage = () => undefined;
    await stage.start();
    let withText = 0;
    await fc.assert(
      fc.asyncProperty(
        paramsText,
        fc.constantFrom('tools/call', 'resources/read', 'x/"\u2028'),
        async (text, method) => {
          const params = text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
          inner.sent.length = 0;
          await stage.send({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) });
          const sent = inner.sent[0] as JSONRPCMessage;
          expect(sent).toBeDefined();
          const encoded = encodedTextOf(sent);
          if (params === undefined || !Object.hasOwn(params, '_meta')) {
            expect(encoded).toBeDefined();
            withText++;
          }
          if (encoded !== undefined) expect(encoded).toBe(JSON.stringify(sent));
          expect(encodeNdjson(sent)).toBe(`${JSON.stringify(sent)}\n`);
        },
      ),
      { numRuns: 500 },
    );
    expect(withText).toBeGreaterThan(100);
    await stage.close();
  });
});

describe('raw-frame scope asked of the backend connection', () => {
  const scopes = async (era: 'modern' | 'legacy'): Promise<(RawFrameScope | undefined)[]> => {
    const asked: (RawFrameScope | undefined)[] = [];
    const inner = Object.assign(capturing(), {
      [RAW_FRAMES]: (scope?: RawFrameScope) => void asked.push(scope),
    });
    const stage = new LegacyFacingStage(inner, { backendEra: () => Promise.resolve(era) });
    stage[RAW_FRAMES]();
    // The era is not known before start: nothing is passed on yet.
    expect(asked).toEqual([]);
    await stage.start();
    await stage.close();
    return asked;
  };

  it("a 2026-07-28-only backend: only large frames ('large'), the rest is translated from objects", async () => {
    expect(await scopes('modern')).toEqual(['large']);
  });

  it('a 2025 backend: every frame (its messages pass through as their bytes)', async () => {
    expect(await scopes('legacy')).toEqual(['all']);
  });
});
