/**
 * The legacy-facing stage asks its backend connection for framed messages only where it uses their
 * bytes: a 2026-07-28-only backend's small messages are translated from objects, so only its large
 * frames (whose results are spliced) come framed.
 */
import { describe, expect, it } from 'vitest';
import { LegacyFacingStage } from '../../src/era/legacy-facing-stage.js';
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
