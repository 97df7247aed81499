/**
 * The Redis session directory of `serve --state`, in process against a real redis-server: the journal
 * entry of a request (with its text, and the forwarded marker when the backend keeps calls), the
 * owner epoch each takeover increments atomically, and the bounded wait on a journal write that Redis
 * does not answer (redis-server stopped with SIGSTOP).
 */
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisState, type RedisSharedState } from '../../src/state/redis/redis-shared-state.js';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';

let redis: RedisFixture;
const states: RedisSharedState[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await Promise.allSettled(states.splice(0).map((s) => s.close()));
  await redis.stop();
});

async function instance(name: string, more: Partial<Parameters<typeof startRedisState>[0]> = {}) {
  const s = await startRedisState({
    url: `${redis.url}?prefix=rs:`,
    instance: name,
    heartbeatMs: 100,
    deadAfterMs: 400,
    ...more,
  });
  states.push(s);
  return s;
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

describe('the Redis session directory', () => {
  it('journals requests durably with their text and marker; each takeover starts a new epoch', async () => {
    const a = await instance('rs-a', { backendKeepsCalls: true });
    const journal = a.directory.journal;
    journal.opened('s1', undefined, initialize);
    const call = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo"}}';
    const written = journal.requestStarted('s1', { id: 7, method: 'tools/call', streamId: 2, message: call });
    expect(written).toBeInstanceOf(Promise);
    await written;
    await journal.requestStarted('s1', {
      id: 'x',
      method: 'ping',
      streamId: 3,
      message: '{"big":1}'.repeat(10_000),
    });
    journal.requestForwarded?.('s1', 7);
    await a.close(); // its heartbeat is gone: the session's owner is dead

    const b = await instance('rs-b');
    expect(b.directory.journal.requestForwarded).toBeUndefined();
    const located = await b.directory.locate('s1');
    expect(located.action).toBe('adopt');
    const snapshot = located.action === 'adopt' ? located.snapshot : undefined;
    expect(snapshot).toMatchObject({ epoch: 1, previousOwner: 'rs-a', initialize, initialized: false });
    const pending = [...(snapshot?.pending ?? [])].sort((p, q) => p.streamId - q.streamId);
    expect(pending).toEqual([
      { id: 7, method: 'tools/call', streamId: 2, progressToken: undefined, message: call, forwarded: true },
      // Over 64 KiB: journaled without its text (it cannot run again).
      {
        id: 'x',
        method: 'ping',
        streamId: 3,
        progressToken: undefined,
        message: undefined,
        forwarded: false,
      },
    ]);
    b.directory.journal.requestDone('s1', 7);
    await b.close();

    // The next takeover gets the next epoch; what was answered is gone with its text and marker.
    const c = await instance('rs-c');
    const again = await c.directory.locate('s1');
    expect(again.action === 'adopt' && again.snapshot.epoch).toBe(2);
    expect(again.action === 'adopt' && again.snapshot.pending.map((p) => p.id)).toEqual(['x']);
    // The owner finding its own session (a former life under the same name) also starts an epoch.
    const own = await c.directory.locate('s1');
    expect(own.action === 'adopt' && own.snapshot.epoch).toBe(3);
  });

  it('a forwarded marker that arrives after its request was done leaves nothing behind', async () => {
    const a = await instance('rs-late', { backendKeepsCalls: true });
    const journal = a.directory.journal;
    journal.opened('s-late', undefined, initialize);
    await journal.requestStarted('s-late', { id: 5, method: 'tools/call', streamId: 1 });
    // The pool's answer came first (it travels on another connection than the request's write).
    journal.requestDone('s-late', 5);
    journal.requestForwarded?.('s-late', 5);
    // One more write behind them on the same connection: once it is done, so are they.
    await journal.requestStarted('s-late', { id: 6, method: 'ping', streamId: 2 });
    const rc = createClient({ url: redis.url });
    await rc.connect();
    try {
      expect(Object.keys(await rc.hGetAll('rs:sess:s-late:pending')).sort()).toEqual(['6']);
    } finally {
      await rc.close();
    }
  });

  it('does not hold a POST longer than its bound when Redis stops answering', async () => {
    const d = await instance('rs-d', { journalWaitMs: 300 });
    process.kill(redis.proc.pid as number, 'SIGSTOP');
    try {
      const wait = d.directory.journal.requestStarted('s2', { id: 1, method: 'ping', streamId: 1 });
      expect(wait).toBeInstanceOf(Promise);
      // Settles while redis-server is still stopped: the bound, not Redis, released it.
      await wait;
    } finally {
      process.kill(redis.proc.pid as number, 'SIGCONT');
    }
  });
  it('gives the pending entries of a session an expiry whenever the hash is written, also after it emptied', async () => {
    const a = await instance('rs-ttl');
    const journal = a.directory.journal;
    journal.opened('s-ttl', undefined, initialize);
    const probe = createClient({ url: redis.url });
    await probe.connect();
    try {
      const key = 'rs:sess:s-ttl:pending';
      await journal.requestStarted('s-ttl', { id: 1, method: 'ping', streamId: 1 });
      await expect(probe.pTTL(key)).resolves.toBeGreaterThan(0);
      journal.requestDone('s-ttl', 1);
      // The hash went with its last entry; the next request creates it anew, with an expiry again.
      await expect.poll(() => probe.exists(key), { timeout: 20_000 }).toBe(0);
      await journal.requestStarted('s-ttl', { id: 2, method: 'ping', streamId: 2 });
      const ttl = await probe.pTTL(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(24 * 60 * 60_000);
    } finally {
      await probe.close();
    }
  });
});
