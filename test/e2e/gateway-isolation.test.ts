/**
 * 50 concurrent client sessions through the gateway (the real CLI, HTTP frontend), each calling tools of
 * both servers (server-everything over stdio, the demo server over HTTP) with its own arguments: no
 * session ever sees another's response, progress notification or server→client request — in
 * per-session and in shared mode.
 *
 * Progress is told apart by its `total`: session i asks for 2+i steps (unique), so a notification that
 * belonged to another session would carry another total. Server→client requests carry the session's
 * own prompt text.
 *
 * Shared mode: one server-everything child and one demo session serve all 50. Nothing on a stdio wire
 * says which client request a sampling request belongs to, so in shared mode the sessions ask for
 * sampling one at a time (see docs/gateway.md); responses and progress are exercised concurrently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { taggedClient, type TaggedClient } from '../gateway/clients.js';
import { startGatewayRig, type GatewayRig } from './gateway-harness.js';

const SESSIONS = 50;
const texts = (result: unknown): string =>
  ((result as { content: { text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');

/** What a session may legitimately receive besides its answers. */
function foreign(messages: JSONRPCMessage[], totals: number[], marker: string): JSONRPCMessage[] {
  return messages.filter((m) => {
    if (m.method === 'notifications/progress')
      return !totals.includes(Number((m.params as { total?: unknown } | undefined)?.total));
    if (m.method === 'sampling/createMessage') return !JSON.stringify(m.params).includes(marker);
    return false;
  });
}

/**
 * Every call gets the generous deadline: on a loaded machine 50 sessions' first calls wait for 50
 * server-everything children to start (the SDK's own default is 60 s).
 */
const SLOW = { timeout: 300_000 };

/** Calls a tool for session `i`; a failure names the session and tool (50 sessions × 7 calls). */
async function callTool(
  c: TaggedClient,
  i: number,
  name: string,
  args: Record<string, unknown>,
  options: object = {},
): Promise<unknown> {
  try {
    return await c.client.callTool({ name, arguments: args }, undefined, { ...SLOW, ...options });
  } catch (error) {
    throw new Error(`session s${i}, ${name}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

async function session(c: TaggedClient, i: number, sampling: boolean): Promise<void> {
  const marker = `s${i}-mark`;
  const steps = 2 + i;
  const progressE: number[] = [];
  const progressD: number[] = [];
  const call = (name: string, args: Record<string, unknown>, options?: object): Promise<unknown> =>
    callTool(c, i, name, args, options);
  const calls: Promise<unknown>[] = [
    call('everything__echo', { message: marker }),
    call('everything__get-sum', { a: i, b: 1000 }),
    call(
      'everything__trigger-long-running-operation',
      { duration: steps * 0.01, steps },
      { onprogress: (p: { progress: number }) => progressE.push(p.progress) },
    ),
    call('demo__echo', { message: marker }),
    call(
      'demo__countdown',
      { steps, delayMs: 1 },
      { onprogress: (p: { progress: number }) => progressD.push(p.progress) },
    ),
  ];
  if (sampling) {
    calls.push(
      call('everything__trigger-sampling-request', { prompt: marker, maxTokens: 5 }),
      call('demo__sample', { question: marker }),
    );
  }
  const [echo, sum, long, demoEcho, countdown, sampledE, sampledD] = await Promise.all(calls);
  expect(texts(echo)).toBe(`Echo: ${marker}`);
  expect(texts(sum)).toBe(`The sum of ${i} and 1000 is ${i + 1000}.`);
  expect(texts(long)).toContain(`Steps: ${steps}.`);
  expect(texts(demoEcho)).toBe(marker);
  expect(texts(countdown)).toBe(`counted down ${steps} steps`);
  expect(progressE).toEqual(Array.from({ length: steps }, (_, k) => k + 1));
  expect(progressD).toEqual(Array.from({ length: steps }, (_, k) => k + 1));
  if (sampling) {
    expect(texts(sampledE)).toContain(`answer-s${i}`);
    expect(texts(sampledD)).toBe(`model said: answer-s${i}`);
    expect(c.sampled).toHaveLength(2);
    expect(c.sampled.every((s) => s.includes(marker))).toBe(true);
  }
  expect(foreign(c.transport.received, [steps], marker)).toEqual([]);
}

describe.each(['per-session', 'shared'] as const)('%s: 50 concurrent sessions never cross', (mode) => {
  let rig: GatewayRig;
  const clients: TaggedClient[] = [];

  beforeAll(async () => {
    // 50 server-everything children start at once on a shared machine: deadlines are generous (this
    // test is about isolation, not speed).
    rig = await startGatewayRig({
      sessionMode: mode,
      extra: {
        maxSessions: 200,
        requestTimeout: '5m',
        gateway: { probeInterval: '1s', catalogTimeout: '5m' },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.client.close()));
    await rig?.stop();
  }, 120_000);

  it('answers, progress and server→client requests each reach their own session only', async () => {
    const url = rig.url('http');
    clients.push(
      ...(await Promise.all(Array.from({ length: SESSIONS }, (_, i) => taggedClient(connect(url), `s${i}`)))),
    );
    await Promise.all(clients.map((c, i) => session(c, i, mode === 'per-session')));
    if (mode === 'shared') {
      // Server→client requests on a shared backend: one session at a time, each gets its own.
      for (const [i, c] of clients.slice(0, 10).entries()) {
        const marker = `s${i}-mark`;
        const e = await callTool(c, i, 'everything__trigger-sampling-request', {
          prompt: marker,
          maxTokens: 5,
        });
        const d = await callTool(c, i, 'demo__sample', { question: marker });
        expect(texts(e)).toContain(`answer-s${i}`);
        expect(texts(d)).toBe(`model said: answer-s${i}`);
        expect(c.sampled.every((s) => s.includes(marker))).toBe(true);
      }
    }
    for (const [i, c] of clients.entries())
      expect(foreign(c.transport.received, [2 + i], `s${i}-mark`)).toEqual([]);
  }, 600_000);
});
