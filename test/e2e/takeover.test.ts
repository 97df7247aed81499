/**
 * Takeover of a session whose gateway instance was killed at a precise point (`serve --state`), with a
 * real Redis, real gateway processes (SIGKILL) and real backends; nothing is left to timing:
 *
 * - A call journaled before its priming event but never forwarded: the instance's path to the worker
 *   pool is stalled by a proxy, so its requests never reach Redis. The instance taking over runs the
 *   read-only call again (through the pool) and answers the other with an explicit error; each client
 *   resuming with its Last-Event-ID gets its own answer.
 * - Calls in flight at a per-session stdio backend that died with the instance: the safe one runs again
 *   at the new owner's fresh backend, the unsafe one is refused with an error naming the dead instance.
 * - Stream numbering across owners: a stream the new owner does not know (its journal entry removed, as
 *   an instance killed between its priming event and its journal write used to leave it) is never
 *   numbered again by the new owner; resuming it is refused with 400, never answered with another
 *   stream's events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPOCH_SPAN } from '../../src/transports/http/server/event-store.js';
import { startHoldingProxy, type HoldingProxy } from '../fixtures/holding-proxy.js';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { EVERYTHING } from './processes.js';
import { startStateGateway, startWorker, type CliProcess } from './scale-out-processes.js';
import { initializeRequest, messages, post, resume, streamOf, type SseEvent } from './sse-exchange.js';

type RedisClient = ReturnType<typeof createClient>;

let redis: RedisFixture;
let dir: string;
const started: CliProcess[] = [];
const proxies: HoldingProxy[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-takeover-'));
}, 30_000);
afterAll(async () => {
  await Promise.allSettled(started.splice(0).map((p) => p.stop()));
  await Promise.allSettled(proxies.splice(0).map((p) => p.close()));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(
  name: string,
  backend: string[],
  prefix: string,
): Promise<CliProcess & { url: string }> {
  const p = await startStateGateway({ dir, name, stateUrl: `${redis.url}?prefix=${prefix}`, backend });
  started.push(p);
  return p;
}

/** Opens a session on `url` (initialize, then notifications/initialized); returns its id. */
async function openSession(url: string, capabilities: Record<string, unknown> = {}): Promise<string> {
  const init = await post(url, initializeRequest(1, capabilities), undefined, (e) =>
    messages(e).some((m) => m.id === 1),
  );
  expect(init.status).toBe(200);
  const session = init.session as string;
  expect(session).toBeTruthy();
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
  return session;
}

const call = (id: number, name: string, args: Record<string, unknown>, token?: string): unknown => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(token !== undefined ? { _meta: { progressToken: token } } : {}) },
});

const answers = (id: number) => (e: SseEvent[]) => messages(e).some((m) => m.id === id);

/** The priming event of a POST stream: empty data, id `<stream>-1`. */
function primingId(events: SseEvent[]): string {
  expect(events[0]).toMatchObject({ data: '', id: expect.stringMatching(/^\d+-1$/) as unknown });
  return events[0]?.id as string;
}

/** Every response among `events` answers request `id` (nothing of another call crossed over). */
function onlyAnswersTo(events: SseEvent[], id: number): void {
  for (const m of messages(events)) if ('result' in m || 'error' in m) expect(m.id).toBe(id);
}

/** A connection of this test's own to Redis, for the duration of `use`. */
async function withRedis<T>(use: (rc: RedisClient) => Promise<T>): Promise<T> {
  const rc: RedisClient = createClient({ url: redis.url });
  await rc.connect();
  try {
    return await use(rc);
  } finally {
    await rc.quit();
  }
}

describe('serve --state redis: takeover of calls in flight at a killed instance', () => {
  it('answers calls journaled but never forwarded to the pool: re-run when safe, an explicit error otherwise', async () => {
    const queue = (port: number): string =>
      `redis://127.0.0.1:${port}/0?stream=takeover:1&heartbeat=200&deadAfter=1000`;
    started.push(await startWorker(queue(redis.port)));
    const proxy = await startHoldingProxy(redis.port);
    proxies.push(proxy);
    // A reaches the pool through the proxy; its session state goes to Redis directly. B reaches both directly.
    const a = await gateway('tk-a', [queue(proxy.port)], 'tk1:');
    const b = await gateway('tk-b', [queue(redis.port)], 'tk1:');
    const session = await openSession(a.url);

    // From now on nothing A sends reaches the pool.
    proxy.hold();
    const safe = await post(a.url, call(2, 'echo', { message: 'kept' }), session, (e) => e.length >= 1);
    const unsafe = await post(a.url, call(3, 'toggle-simulated-logging', {}), session, (e) => e.length >= 1);
    const safeId = primingId(safe.events);
    const unsafeId = primingId(unsafe.events);
    expect(streamOf(safeId)).not.toBe(streamOf(unsafeId));
    // Both were journaled before their priming events left A (with their text), and neither is marked
    // as having reached the pool; A did try to send them (the proxy holds the bytes).
    await withRedis(async (rc) => {
      const pending = await rc.hGetAll(`tk1:sess:${session}:pending`);
      expect(Object.keys(pending).sort()).toEqual(['2', '3', 'm2', 'm3']);
    });
    const deadline = Date.now() + 20_000;
    while (proxy.heldBytes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(proxy.heldBytes).toBeGreaterThan(0);
    await a.kill();
    proxy.drop();

    // The client resumes at B: B takes the session over and runs the read-only call again.
    const r1 = await resume(b.url, session, safeId, answers(2));
    expect(r1.status).toBe(200);
    expect(messages(r1.events).find((m) => m.id === 2)).toMatchObject({
      result: { content: [{ type: 'text', text: 'Echo: kept' }] },
    });
    onlyAnswersTo(r1.events, 2);
    // The other call may have side effects: an explicit error naming the dead instance and the reason.
    const r2 = await resume(b.url, session, unsafeId, answers(3));
    expect(r2.status).toBe(200);
    expect(messages(r2.events).find((m) => m.id === 3)).toMatchObject({
      error: {
        code: -32000,
        message:
          'Gateway instance tk-a died while handling "tools/call"; not run again: tool "toggle-simulated-logging" is not annotated readOnlyHint or idempotentHint',
        data: { code: 'INSTANCE_LOST', instance: 'tk-a' },
      },
    });
    onlyAnswersTo(r2.events, 3);

    // B numbers its own streams from its epoch, never like A's.
    const atB = await post(b.url, call(4, 'echo', { message: 'at B' }), session, answers(4));
    const bStream = streamOf(primingId(atB.events));
    expect(bStream).toBeGreaterThan(EPOCH_SPAN);
    expect([streamOf(safeId), streamOf(unsafeId)]).not.toContain(bStream);
    expect(messages(atB.events).find((m) => m.id === 4)).toMatchObject({
      result: { content: [{ text: 'Echo: at B' }] },
    });
    // A's stream, resumed again, still holds only its own answer.
    const again = await resume(b.url, session, safeId);
    expect(again.status).toBe(200);
    expect(messages(again.events).map((m) => m.id)).toEqual([2]);
    // Nothing is left in flight.
    await withRedis(async (rc) => {
      expect(await rc.hGetAll(`tk1:sess:${session}:pending`)).toEqual({});
    });
  }, 180_000);

  it('re-runs a safe call a dead stdio backend took with it, refuses an unsafe one, and never numbers a stream like the dead owner', async () => {
    const backend = ['--', process.execPath, EVERYTHING, 'stdio'];
    const a = await gateway('tk-c', backend, 'tk2:');
    const b = await gateway('tk-d', backend, 'tk2:');
    const session = await openSession(a.url, { sampling: {} });

    // In flight at A's own stdio child when A dies: a call that is not idempotent and waits for the
    // client's sampling answer (never given; the server would give up after 60 s) …
    const sampling = await post(
      a.url,
      call(3, 'trigger-sampling-request', { prompt: 'x' }),
      session,
      (e) => e.length >= 1,
    );
    const samplingId = primingId(sampling.events);
    // … a read-only long operation (with progress) …
    const long = await post(
      a.url,
      call(2, 'trigger-long-running-operation', { duration: 5, steps: 2 }, 'p2'),
      session,
      (e) => e.length >= 1,
    );
    // … and the last one, whose journal entry will be gone: what a kill between the priming event and
    // the journal write used to leave (the new owner knows nothing of that stream, the highest one). A
    // is frozen at once (so nothing of it can finish), the entry removed, A killed.
    const lost = await post(
      a.url,
      call(4, 'trigger-long-running-operation', { duration: 30, steps: 1 }),
      session,
      (e) => e.length >= 1,
    );
    const lostId = primingId(lost.events);
    process.kill(a.pid, 'SIGSTOP');
    const longId = primingId(long.events);
    await withRedis(async (rc) => {
      const key = `tk2:sess:${session}:pending`;
      expect(Object.keys(await rc.hGetAll(key)).sort()).toEqual(['2', '3', '4', 'm2', 'm3', 'm4']);
      expect(await rc.hDel(key, ['4', 'm4'])).toBe(2);
    });
    await a.kill();

    // A new POST at B takes the session over; its stream is numbered from B's epoch.
    const atB = await post(b.url, call(5, 'echo', { message: 'at B' }), session, answers(5));
    const bStream = streamOf(primingId(atB.events));
    expect(bStream).toBeGreaterThan(EPOCH_SPAN);
    expect([streamOf(longId), streamOf(samplingId), streamOf(lostId)]).not.toContain(bStream);
    // Resuming the stream B does not know is refused, never answered with another stream's events.
    const unknown = await resume(b.url, session, lostId);
    expect(unknown.status).toBe(400);
    expect(unknown.events).toHaveLength(1);
    expect(JSON.parse(unknown.events[0]?.data ?? '{}') as unknown).toMatchObject({
      error: {
        message: expect.stringContaining(
          `names stream ${streamOf(lostId)}, which this session cannot resume`,
        ) as unknown,
      },
    });

    // The read-only call ran again at B's fresh backend: the client resuming gets its own result.
    const r1 = await resume(b.url, session, longId, answers(2));
    expect(r1.status).toBe(200);
    expect(messages(r1.events).find((m) => m.id === 2)).toMatchObject({
      result: { content: [{ text: 'Long running operation completed. Duration: 5 seconds, Steps: 2.' }] },
    });
    onlyAnswersTo(r1.events, 2);
    const progress = messages(r1.events).filter((m) => m.method === 'notifications/progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(p).toMatchObject({ params: { progressToken: 'p2' } });
    // Events B adds to the inherited stream are numbered above anything A handed out.
    const result = r1.events.find((e) => e.data !== '' && (JSON.parse(e.data) as { id?: unknown }).id === 2);
    expect(Number(result?.id?.split('-')[1])).toBeGreaterThan(EPOCH_SPAN);

    // The call that needs the client's sampling answer is not idempotent: an explicit error.
    const r2 = await resume(b.url, session, samplingId, answers(3));
    expect(r2.status).toBe(200);
    expect(messages(r2.events).find((m) => m.id === 3)).toMatchObject({
      error: {
        message:
          'Gateway instance tk-c died while handling "tools/call"; not run again: tool "trigger-sampling-request" is not annotated readOnlyHint or idempotentHint',
        data: { code: 'INSTANCE_LOST', instance: 'tk-c' },
      },
    });
    onlyAnswersTo(r2.events, 3);
  }, 180_000);
});
