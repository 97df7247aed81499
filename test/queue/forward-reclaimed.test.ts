/**
 * A record the janitor reclaimed from a dead worker may have run there. When the connection it belongs
 * to is served by another live worker, the listener forwards the record to that worker's inbox; the
 * record must arrive there still marked as reclaimed (and from whom), so that its new reader runs it
 * again only where that is safe — not as a new request.
 */
import { expect, it } from 'vitest';
import type { ReceivedRecord } from '../../src/queue/queue-types.js';
import { parseRedisAddress } from '../../src/queue/redis/redis-address.js';
import { RedisWorkerQueue } from '../../src/queue/redis/redis-worker-queue.js';
import { until } from '../fixtures/poll.js';
import { useRedis } from '../fixtures/redis-server.js';

const redis = useRedis();

it('a forwarded record keeps its reclaimed mark; a plain forward stays plain', async () => {
  const uri = (worker: string): URL =>
    new URL(`${redis.url}?stream=forward&heartbeat=60000&deadAfter=120000&worker=${worker}`);
  const a = new RedisWorkerQueue(parseRedisAddress(uri('a')));
  const b = new RedisWorkerQueue(parseRedisAddress(uri('b')));
  const atB: ReceivedRecord[] = [];
  try {
    await a.start({ onRecord: () => undefined, onError: () => undefined });
    await b.start({ onRecord: (r) => void atB.push(r), onError: () => undefined });
    const call = (id: number): string =>
      JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'charge' } });
    // Handles of entries A never read: acknowledging them is a no-op.
    await a.forward(
      {
        record: { type: 'message', conn: 'conn-1', data: call(1) },
        handle: 'forward:in:a\n0-1',
        deliveries: 2,
        reclaimedFrom: 'dead-worker',
      },
      'b',
    );
    await a.forward(
      {
        record: { type: 'message', conn: 'conn-1', data: call(2) },
        handle: 'forward:in:a\n0-2',
        deliveries: 1,
      },
      'b',
    );
    await until(() => atB.length === 2, 10_000, 'both records reached B');
    expect(
      atB.map((r) => ({ data: r.record.type === 'message' ? r.record.data : '', from: r.reclaimedFrom })),
    ).toEqual([
      { data: call(1), from: 'dead-worker' },
      { data: call(2), from: undefined },
    ]);
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
  }
}, 30_000);
