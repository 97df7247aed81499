import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import { RequestStateSealer, parseStateKey } from '../../src/era/request-state.js';

const claims = { call: 'c-1', round: 1, principal: 'alice', method: 'tools/call', target: 'ask' };

function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe('INVALID_REQUEST_STATE');
    return (error as SwitchboardError).details.reason as string;
  }
}

describe('RequestStateSealer', () => {
  it('round-trips the claims for the same principal', () => {
    const sealer = new RequestStateSealer();
    expect(sealer.open(sealer.seal(claims), 'alice')).toEqual(claims);
  });

  it('refuses another principal, a flipped byte, another key, and an expired state', () => {
    let now = 1_000;
    const sealer = new RequestStateSealer({ ttlMs: 50, now: () => now });
    const state = sealer.seal(claims);
    expect(refusal(() => sealer.open(state, 'bob'))).toBe('foreign');
    const body = Buffer.from(state.slice(0, state.indexOf('.')), 'base64url').toString();
    const forged = Buffer.from(body.replace('"r":1', '"r":2')).toString('base64url');
    expect(refusal(() => sealer.open(`${forged}${state.slice(state.indexOf('.'))}`, 'alice'))).toBe(
      'tampered',
    );
    expect(refusal(() => new RequestStateSealer().open(state, 'alice'))).toBe('tampered');
    now += 51;
    expect(refusal(() => sealer.open(state, 'alice'))).toBe('expired');
  });

  it('refuses any garbage with the coded error and never anything else', () => {
    const sealer = new RequestStateSealer();
    const genuine = sealer.seal(claims);
    const dot = genuine.indexOf('.');
    const garbage = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .jsonValue()
        .map((v) => `${Buffer.from(JSON.stringify(v)).toString('base64url')}${genuine.slice(dot)}`),
      fc.string().map((s) => `${genuine.slice(0, dot)}.${s}`),
      fc.constantFrom(undefined, null, 42, {}, [], genuine.repeat(3)),
    );
    fc.assert(
      fc.property(garbage, (value: unknown) => {
        expect(refusal(() => sealer.open(value, 'alice'))).toMatch(/^(malformed|tampered)$/);
      }),
      { numRuns: 500 },
    );
  });

  it('takes a key of at least 32 bytes, in hex or base64', () => {
    expect(parseStateKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseStateKey(Buffer.alloc(32, 7).toString('base64'))).toHaveLength(32);
    expect(() => parseStateKey('short')).toThrow(/at least 32 bytes/);
    expect(() => new RequestStateSealer({ key: Buffer.alloc(8) })).toThrow(/at least 32 bytes/);
  });
});
