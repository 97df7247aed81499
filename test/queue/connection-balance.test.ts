/**
 * New connections to a Redis worker pool go to the live worker serving the fewest, whichever worker
 * read their `open` (one worker's read often brings every `open` of a burst); a paused worker gets none.
 */
import { createClient } from '@redis/client';
import { expect, it } from 'vitest';
import { connect, listen } from '../../src/endpoint/registry.js';
import type { QueueClientTransport } from '../../src/queue/queue-client-transport.js';
import type { QueueListener } from '../../src/queue/queue-listener.js';
import { parseRedisAddress } from '../../src/queue/redis/redis-address.js';
import { RedisWorkerQueue } from '../../src/queue/redis/redis-worker-queue.js';
import type { Transport } from '../../src/transport.js';
import { useRedis } from '../fixtures/redis-server.js';

const redis = useRedis();

it('spreads a burst of connections evenly, and gives none to a paused worker', async () => {
  const uri = `${redis.url}?stream=balance`;
  const served = new Map<string, Transport[]>([
    ['a', []],
    ['b', []],
  ]);
  const workers = new Map<string, QueueListener>();
  for (const id of served.keys()) {
    const listener = (await listen(`${uri}&worker=${id}`, {
      onConnection: (t) => served.get(id)?.push(t),
    })) as QueueListener;
    workers.set(id, listener);
  }
  const clients: QueueClientTransport[] = [];
  const open = async (n: number): Promise<string[]> => {
    const batch = Array.from({ length: n }, () => connect(uri) as QueueClientTransport);
    clients.push(...batch);
    await Promise.all(batch.map((c) => c.start()));
    return batch.map((c) => c.worker ?? '?');
  };
  const probe = createClient({ url: redis.url });
  await probe.connect();
  const heartbeatOf = async (id: string, ok: (value: string | null) => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!ok(await probe.get(`balance:hb:${id}`))) {
      if (Date.now() > deadline) throw new Error(`heartbeat of ${id}: not as expected after 10 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const count = (list: string[], id: string): number => list.filter((w) => w === id).length;
  try {
    const burst = await open(12);
    expect([count(burst, 'a'), count(burst, 'b')]).toEqual([6, 6]);
    expect([served.get('a')?.length, served.get('b')?.length]).toEqual([6, 6]);

    // Pausing and resuming reach the heartbeat asynchronously: wait until Redis shows each.
    workers.get('b')?.pause();
    await heartbeatOf('b', (v) => v === 'paused');
    expect(await open(4)).toEqual(['a', 'a', 'a', 'a']);

    workers.get('b')?.resume();
    await heartbeatOf('b', (v) => v !== null && v !== 'paused');
    // a serves 10 connections and b 6: the next four go to b.
    expect(await open(4)).toEqual(['b', 'b', 'b', 'b']);
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled([...workers.values()].map((w) => w.close({ graceMs: 0 })));
    await probe.quit();
  }
}, 60_000);

it('a paused worker that reads an open (its read was issued before it paused) gives the connection to a live one', async () => {
  // A heartbeat a minute: only pausing writes the heartbeat during the test.
  const uri = (worker: string): URL =>
    new URL(`${redis.url}?stream=paused-read&heartbeat=60000&deadAfter=120000&worker=${worker}`);
  const a = new RedisWorkerQueue(parseRedisAddress(uri('a')));
  const b = new RedisWorkerQueue(parseRedisAddress(uri('b')));
  const probe = createClient({ url: redis.url });
  await probe.connect();
  try {
    const handlers = { onRecord: () => undefined, onError: () => undefined };
    await a.start(handlers);
    // a serves more connections than b (it was alone when they came).
    for (const conn of ['c1', 'c2', 'c3']) expect((await a.claim(conn)).owner).toBe('self');
    await b.start(handlers);
    b.pause();
    const deadline = Date.now() + 10_000;
    while ((await probe.get('paused-read:hb:b')) !== 'paused') {
      if (Date.now() > deadline) throw new Error('b did not write its paused heartbeat within 10 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    // b's claim (as for an `open` its reader brought): the connection goes to a, though a serves more.
    expect(await b.claim('c4')).toEqual({ owner: 'other', worker: 'a', alive: true });
    b.resume();
    while ((await probe.get('paused-read:hb:b')) === 'paused') {
      if (Date.now() > deadline) throw new Error('b did not write its live heartbeat within 10 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await b.claim('c5')).toEqual({ owner: 'self' });
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
    await probe.quit();
  }
}, 30_000);
