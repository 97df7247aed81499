import { afterAll, beforeAll } from 'vitest';
import { connect, listen } from '../../src/endpoint/registry.js';
import type { QueueListener } from '../../src/queue/queue-listener.js';
import type { Transport } from '../../src/transport.js';
import { LazyTransport } from '../../src/transports/lazy.js';
import { runTransportContract, type TransportPair } from '../contract/transport-contract.js';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';

let redis: RedisFixture;
let counter = 0;

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis.stop();
});

/** A worker listening on a fresh stream and one client connected to it. */
async function makeRedisPair(query = ''): Promise<TransportPair> {
  const uri = `${redis.url}?stream=contract:${++counter}${query}`;
  let resolveAccepted!: (t: Transport) => void;
  const accepted = new Promise<Transport>((resolve) => (resolveAccepted = resolve));
  const listener = (await listen(uri, { onConnection: (t) => resolveAccepted(t) })) as QueueListener;
  return {
    // A 1 MiB window: full after four of the backpressure test's 256 KiB messages.
    client: connect(uri, { redis: { windowBytes: 1024 * 1024 } }),
    server: new LazyTransport(() => accepted),
    // A worker that stops reading: its clients' sends wait once their window is full.
    stallServer: () => {
      listener.pause();
      return () => listener.resume();
    },
    cleanup: () => listener.close({ graceMs: 0 }),
  };
}

runTransportContract('redis streams (client ↔ worker)', () => makeRedisPair());
