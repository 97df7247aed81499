/**
 * A worker stopped past `deadAfter` keeps a blocking read registered in Redis: records added meanwhile to
 * the streams it reads are handed to it, as pending records of its consumer, while it cannot act. Its
 * adopter must claim those too (not only what was pending when the adoption began), and the stopped
 * worker, when it resumes, must not run them before a heartbeat tells it whether it still serves.
 */
import { execFileSync } from 'node:child_process';
import { createClient } from '@redis/client';
import { expect, it } from 'vitest';
import { parseRedisAddress } from '../../src/queue/redis/redis-address.js';
import { encodeRecord } from '../../src/queue/redis/record-codec.js';
import type { ReceivedRecord } from '../../src/queue/queue-types.js';
import { RedisWorkerQueue } from '../../src/queue/redis/redis-worker-queue.js';
import { until } from '../fixtures/poll.js';
import { useRedis } from '../fixtures/redis-server.js';

const redis = useRedis();

/** The stream fields of a client's message record. */
function messageFields(conn: string, id: number): string[] {
  const data = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } });
  return Object.entries(encodeRecord({ type: 'message', conn, data })).flat();
}

/**
 * Blocks this process's event loop for `ms` (as a stopped or starved worker process is) after running
 * `redis-cli` with `args` (a record added while the worker cannot act on it).
 */
function stallAfter(args: string[], ms: number): void {
  const start = performance.now();
  execFileSync('redis-cli', ['-p', String(redis.port), ...args], { stdio: 'ignore', timeout: 10_000 });
  while (performance.now() - start < ms) {
    // busy: no timer, no socket read runs meanwhile
  }
}

it("the adopter claims records the dead worker's read took after the adoption began", async () => {
  const b = new RedisWorkerQueue(
    parseRedisAddress(
      new URL(`${redis.url}?stream=late&heartbeat=50&deadAfter=120000&reclaimIdle=0&worker=b`),
    ),
  );
  const probe = createClient({ url: redis.url });
  const stopped = createClient({ url: redis.url });
  await Promise.all([probe.connect(), stopped.connect()]);
  const atB: ReceivedRecord[] = [];
  try {
    // Worker A as Redis knows it: in the pool, owning conn-1, no heartbeat (dead), and its blocking read
    // of its inbox still registered (a stopped process's read stays blocked in Redis).
    await probe.xGroupCreate('late:in:a', 'switchboard', '$', { MKSTREAM: true });
    await probe.sAdd('late:workers', 'a');
    await probe.hSet('late:conn:conn-1', 'owner', 'a');
    await probe.sAdd('late:owned:a', 'conn-1');
    const read = stopped.xReadGroup('switchboard', 'a', { key: 'late:in:a', id: '>' }, { BLOCK: 20_000 });
    await until(
      async () => (await probe.clientList()).some((c) => c.cmd === 'xreadgroup' && c.flags.includes('b')),
      10_000,
      "A's read is blocked",
    );
    // B adopts A, then a record reaches A's inbox: A's registered read is served it.
    await b.start({ onRecord: (r) => atB.push(r), onError: () => undefined, onAdopted: () => undefined });
    await until(async () => (await probe.hGet('late:conn:conn-1', 'owner')) === 'b', 10_000, 'B adopted');
    await probe.xAdd('late:in:a', '*', Object.fromEntries(pairs(messageFields('conn-1', 7))));
    const served = (await read) as { messages: unknown[] }[] | null;
    expect(served?.[0]?.messages.length).toBe(1);
    // B claims it from A's pending list and hands it over as reclaimed.
    await until(() => atB.some((r) => r.reclaimedFrom === 'a'), 10_000, 'B reclaimed the record');
    expect(atB.find((r) => r.reclaimedFrom === 'a')?.record).toMatchObject({
      type: 'message',
      conn: 'conn-1',
    });
  } finally {
    await b.close();
    await Promise.allSettled([probe.quit(), stopped.quit()]);
  }
}, 30_000);

/** Worker A on `stream` (heartbeat 100 ms, deadAfter 250 ms), started and owning conn-1. */
async function stallable(stream: string) {
  const a = new RedisWorkerQueue(
    parseRedisAddress(new URL(`${redis.url}?stream=${stream}&heartbeat=100&deadAfter=250&worker=a`)),
  );
  const got: ReceivedRecord[] = [];
  const fenced: Error[] = [];
  await a.start({ onRecord: (r) => got.push(r), onError: () => undefined, onFenced: (e) => fenced.push(e) });
  expect((await a.claim('conn-1')).owner).toBe('self');
  const messages = (): ReceivedRecord[] => got.filter((r) => r.record.type === 'message');
  return { a, messages, fenced };
}

it('a worker stalled past deadAfter and declared dead meanwhile leaves what its read brought to its adopter', async () => {
  const { a, messages, fenced } = await stallable('stall');
  const probe = createClient({ url: redis.url });
  await probe.connect();
  try {
    // Another worker declared A dead (its adoption lock), and a record arrives while A is stalled.
    await probe.set('stall:adopting:a', 'b', { PX: 60_000 });
    stallAfter(['XADD', 'stall:in:a', '*', ...messageFields('conn-1', 7)], 400);
    await until(() => fenced.length > 0, 10_000, 'A was fenced');
    // Nothing was handed over, and the record waits in A's pending list for the adopter.
    expect(messages()).toEqual([]);
    expect((await probe.xPending('stall:in:a', 'switchboard')).pending).toBe(1);
  } finally {
    await a.close();
    await probe.quit();
  }
}, 30_000);

it('a worker stalled past deadAfter and not declared dead renews its heartbeat, then serves what its read brought', async () => {
  const { a, messages, fenced } = await stallable('stall2');
  try {
    stallAfter(['XADD', 'stall2:in:a', '*', ...messageFields('conn-1', 7)], 400);
    await until(() => messages().length > 0, 10_000, 'A served the record');
    expect(fenced).toEqual([]);
    expect(a.reachable).toBe(true);
  } finally {
    await a.close();
  }
}, 30_000);

it('a worker declared dead is given no new connection by its own claim', async () => {
  const uri = (worker: string): URL =>
    new URL(`${redis.url}?stream=assign&heartbeat=60000&deadAfter=120000&worker=${worker}`);
  const a = new RedisWorkerQueue(parseRedisAddress(uri('a')));
  const b = new RedisWorkerQueue(parseRedisAddress(uri('b')));
  const probe = createClient({ url: redis.url });
  await probe.connect();
  try {
    await a.start({ onRecord: () => undefined, onError: () => undefined });
    // Alone in the pool and declared dead (its heartbeat gone, the lock taken): no owner at all (the
    // record stays pending for the pool).
    await probe.del('assign:hb:a');
    await probe.set('assign:adopting:a', 'x', { PX: 60_000 });
    expect(await a.claim('new-1')).toEqual({ owner: 'unknown' });
    expect(await probe.hGet('assign:conn:new-1', 'owner')).toBeNull();
    // With a live worker beside it, that one gets the connection although A serves fewer.
    await b.start({ onRecord: () => undefined, onError: () => undefined });
    for (const conn of ['b-1', 'b-2']) expect((await b.claim(conn)).owner).toBe('self');
    expect(await a.claim('new-2')).toEqual({ owner: 'other', worker: 'b', alive: true });
    // Its lock gone (a process that joins under the same id removes it), A takes new connections again.
    await probe.del('assign:adopting:a');
    expect(await a.claim('new-3')).toEqual({ owner: 'self' });
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
    await probe.quit();
  }
}, 30_000);

/** Pairs a flat field list. */
function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}
