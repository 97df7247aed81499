/**
 * The legacy-facing stage starts its backend connection while the backend's era is still being probed
 * (a stdio backend spawns beside the probe, not after it): what the backend says meanwhile reaches the
 * handler the era picks, in order, after `start()` returned; a failed probe or start leaves no
 * connection open.
 */
import { describe, expect, it } from 'vitest';
import { LegacyFacingStage } from '../../src/era/legacy-facing-stage.js';
import type { BackendEra } from '../../src/era/backend-era.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import type { MessageExtraInfo, Transport } from '../../src/transport.js';

/** A backend connection that records its life and lets the test speak for the backend. */
function backend(startFails = false): Transport & {
  events: string[];
  deliver: (message: JSONRPCMessage) => void;
} {
  const events: string[] = [];
  const t: Transport & { events: string[]; deliver: (message: JSONRPCMessage) => void } = {
    events,
    start: () => {
      events.push('start');
      return startFails ? Promise.reject(new Error('spawn failed')) : Promise.resolve();
    },
    send: () => Promise.resolve(),
    close: () => {
      events.push('close');
      t.onclose?.();
      return Promise.resolve();
    },
    deliver: (message) => t.onmessage?.(message),
  };
  return t;
}

/** An era that resolves when the test says so. */
function pendingEra(): { era: () => Promise<BackendEra>; settle: (era: BackendEra | Error) => void } {
  let settle: (era: BackendEra | Error) => void = () => undefined;
  const promise = new Promise<BackendEra>((resolve, reject) => {
    settle = (era) => (era instanceof Error ? reject(era) : resolve(era));
  });
  return { era: () => promise, settle };
}

/** One turn of the event loop (held messages go on in one). */
const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const log = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data: `line ${n}` },
});

describe('legacy-facing stage start', () => {
  it('starts the backend connection before the era is known, and hands its early messages on in order', async () => {
    const inner = backend();
    const { era, settle } = pendingEra();
    const stage = new LegacyFacingStage(inner, { backendEra: era });
    const got: unknown[] = [];
    stage.onmessage = (m: JSONRPCMessage, _extra?: MessageExtraInfo) => void got.push(m);
    const starting = stage.start();
    // The connection started although the probe has not answered.
    expect(inner.events).toEqual(['start']);
    inner.deliver(log(1));
    inner.deliver(log(2));
    expect(got).toEqual([]);
    settle('legacy');
    await starting;
    // Not inside start(): its caller may still be starting the other side.
    expect(got).toEqual([]);
    // Whatever comes before they are handed on queues behind them.
    inner.deliver(log(3));
    await macrotask();
    expect(got).toEqual([log(1), log(2), log(3)]);
    // From now on a 2025 backend's messages go straight to the handler.
    inner.deliver(log(4));
    expect(got).toEqual([log(1), log(2), log(3), log(4)]);
    // A handler set later is installed directly, as before.
    const later: unknown[] = [];
    stage.onmessage = (m: JSONRPCMessage) => void later.push(m);
    inner.deliver(log(5));
    expect(later).toEqual([log(5)]);
    await stage.close();
  });

  it('keeps at most 256 early messages and reports the overflow once', async () => {
    const inner = backend();
    const { era, settle } = pendingEra();
    const stage = new LegacyFacingStage(inner, { backendEra: era });
    const got: unknown[] = [];
    const errors: string[] = [];
    stage.onmessage = (m: JSONRPCMessage) => void got.push(m);
    stage.onerror = (e) => void errors.push((e as { code?: string }).code ?? e.message);
    const starting = stage.start();
    for (let i = 0; i < 300; i++) inner.deliver(log(i));
    settle('legacy');
    await starting;
    await macrotask();
    expect(got).toHaveLength(256);
    expect(got[255]).toEqual(log(255));
    expect(errors).toEqual(['BUFFER_BUDGET_EXCEEDED']);
    await stage.close();
  });

  it('a failed probe closes the started connection and rejects, without reporting a close', async () => {
    const inner = backend();
    const { era, settle } = pendingEra();
    const stage = new LegacyFacingStage(inner, { backendEra: era });
    let closes = 0;
    stage.onclose = () => void closes++;
    const starting = stage.start();
    settle(new Error('probe: backend down'));
    await expect(starting).rejects.toThrow('probe: backend down');
    expect(inner.events).toEqual(['start', 'close']);
    expect(closes).toBe(0);
  });

  it('a connection that fails to start rejects even when the probe succeeds', async () => {
    const inner = backend(true);
    const { era, settle } = pendingEra();
    const stage = new LegacyFacingStage(inner, { backendEra: era });
    const starting = stage.start();
    settle('modern');
    await expect(starting).rejects.toThrow('spawn failed');
    expect(inner.events).toEqual(['start']);
  });
});
