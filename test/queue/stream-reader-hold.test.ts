import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisClient, ensureGroup, type RedisClient } from '../../src/queue/redis/redis-client.js';
import {
  StreamReader,
  type StreamEntry,
  type StreamReaderOptions,
} from '../../src/queue/redis/stream-reader.js';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { eventually } from '../transports/socket-pairs.js';

let redis: RedisFixture;
const clients: RedisClient[] = [];
beforeAll(async () => {
  redis = await startRedis();
}, 60_000);
afterAll(async () => {
  for (const c of clients) if (c.isOpen) c.destroy();
  await redis.stop();
});

async function client(): Promise<RedisClient> {
  const c = await openRedisClient(
    { connectUrl: redis.url, redacted: redis.url, tls: false, host: '127.0.0.1' },
    {},
    () => undefined,
  );
  clients.push(c);
  return c;
}

/**
 * A started StreamReader on stream `key` (consumer group `g`), with `hold`, handing its entries to
 * `onEntries`; `control` is the other connection (it adds entries in the tests).
 */
async function heldReader(
  key: string,
  hold: NonNullable<StreamReaderOptions['hold']>,
  onEntries: (key: string, entries: StreamEntry[]) => void,
): Promise<{ reader: StreamReader; control: RedisClient; readerClient: RedisClient }> {
  const [control, readerClient] = [await client(), await client()];
  await ensureGroup(control, key, 'g');
  const reader = new StreamReader({
    reader: readerClient,
    control,
    group: { name: 'g', consumer: 'c' },
    blockMs: 5_000,
    onEntries,
    onError: () => undefined,
    hold,
  });
  await reader.start();
  reader.add(key);
  return { reader, control, readerClient };
}

/**
 * Sends `args` ahead as soon as the reader's connection is free (after a delivery). The answer's
 * promise comes wrapped, so that awaiting this does not wait for the answer.
 */
async function sendAheadWhenFree(
  reader: StreamReader,
  args: string[],
): Promise<{ answer: Promise<unknown> }> {
  let sent: Promise<unknown> | undefined;
  await eventually(() => (sent = reader.sendAhead(args)) !== undefined, 20_000, 'a free connection');
  return { answer: sent as Promise<unknown> };
}

describe('StreamReader hold', () => {
  it('while busy, the next read waits for a command sent ahead (at most maxMs), which leaves first', async () => {
    const got: { id: string; at: number }[] = [];
    const { reader, control } = await heldReader(
      'held',
      { busy: () => true, maxMs: 10_000 },
      (_key, entries: StreamEntry[]) => {
        for (const e of entries) got.push({ id: e.id, at: performance.now() });
      },
    );
    const first = await control.xAdd('held', '*', { n: '1' });
    await eventually(() => got.length === 1, 20_000, 'the first entry');
    // Held now: the connection is free, a command goes ahead of the next read, which follows at once
    // (long before the 10 s bound).
    const second = await control.xAdd('held', '*', { n: '2' });
    const { answer: ahead } = await sendAheadWhenFree(reader, ['XADD', 'held', '*', 'n', '3']);
    const third = String(await ahead);
    await eventually(() => got.length === 3, 8_000, 'the entries after the command sent ahead');
    expect(got.map((g) => g.id)).toEqual([first, second, third]);
    await reader.close();
  }, 60_000);

  it('reads again after maxMs when nothing is sent ahead', async () => {
    const got: number[] = [];
    const { reader, control } = await heldReader('timed', { busy: () => true, maxMs: 300 }, (_key, entries) =>
      got.push(...entries.map(() => performance.now())),
    );
    await control.xAdd('timed', '*', { n: '1' });
    await eventually(() => got.length === 1, 20_000, 'the first entry');
    await control.xAdd('timed', '*', { n: '2' });
    await eventually(() => got.length === 2, 20_000, 'the second entry');
    // The read after the first delivery waited out the hold.
    expect((got[1] as number) - (got[0] as number)).toBeGreaterThanOrEqual(290);
    await reader.close();
  }, 60_000);

  it('while backlogged, a command sent ahead in the first maxMs leaves alone; the read waits for a later one, or 2 × maxMs', async () => {
    const deliveries: { ids: string[]; at: number }[] = [];
    const { reader, control } = await heldReader(
      'backlog',
      { busy: () => true, maxMs: 1_000, backlogged: () => true },
      (_key, entries) => deliveries.push({ ids: entries.map((e) => e.id), at: performance.now() }),
    );
    await control.xAdd('backlog', '*', { n: '1' });
    await eventually(() => deliveries.length === 1, 20_000, 'the first entry');
    const second = await control.xAdd('backlog', '*', { n: '2' });
    const { answer: ahead } = await sendAheadWhenFree(reader, ['XADD', 'backlog', '*', 'n', '3']);
    // Answered at once, and no read went with it: the hold goes on until its bound (2 × maxMs).
    const third = String(await ahead);
    expect(deliveries).toHaveLength(1);
    await eventually(() => deliveries.length === 2, 20_000, 'the entries after the bound');
    const [first, batch] = deliveries as [(typeof deliveries)[0], (typeof deliveries)[0]];
    expect(batch.ids).toEqual([second, third]);
    expect(batch.at - first.at).toBeGreaterThanOrEqual(1_990);

    // Past maxMs of the next hold, a command sent ahead takes the read with it, long before the bound.
    await new Promise((r) => setTimeout(r, 1_050));
    const fourth = await control.xAdd('backlog', '*', { n: '4' });
    const fifth = String(await reader.sendAhead(['XADD', 'backlog', '*', 'n', '5']));
    await eventually(() => deliveries.length === 3, 20_000, 'the entries after the late command');
    const last = deliveries[2] as (typeof deliveries)[0];
    expect(last.ids).toEqual([fourth, fifth]);
    expect(last.at - batch.at).toBeLessThan(1_900);
    await reader.close();
  }, 60_000);

  it('close() lets a command sent ahead finish before it closes the connection', async () => {
    let delivered = 0;
    const { reader, control, readerClient } = await heldReader(
      'closing',
      { busy: () => true, maxMs: 10_000 },
      () => delivered++,
    );
    await control.xAdd('closing', '*', { n: '1' });
    await eventually(() => delivered === 1, 20_000, 'the first entry');
    const { answer: ahead } = await sendAheadWhenFree(reader, ['SET', 'sent-ahead', 'yes']);
    const closed = reader.close();
    await expect(ahead).resolves.toBe('OK');
    await closed;
    expect(readerClient.isOpen).toBe(false);
    expect(await control.get('sent-ahead')).toBe('yes');
  }, 60_000);
});
