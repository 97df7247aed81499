import { listenQueue, type QueueListener } from '../../queue/queue-listener.js';
import { QueueClientTransport } from '../../queue/queue-client-transport.js';
import { parseRedisAddress } from '../../queue/redis/redis-address.js';
import { RedisRequestQueue } from '../../queue/redis/redis-request-queue.js';
import { RedisWorkerQueue } from '../../queue/redis/redis-worker-queue.js';
import type { EndpointScheme } from '../scheme.js';

/**
 * `redis://[user:password@]host:port/db?stream=NAME`: MCP over Redis Streams. `connect()` is a client of
 * the worker pool reading that stream; `listen()` joins the pool as one worker (each client connection
 * it claims is one transport). `rediss://` for TLS (CA and client certificate from `options.tls`).
 */
export const redisScheme: EndpointScheme = {
  name: 'redis',
  example: 'redis://127.0.0.1:6379/0?stream=mcp:everything',
  connect(url, options) {
    const address = parseRedisAddress(url);
    // TLS towards Redis: `redis.tls`, else the generic `tls` (a backend's TLS settings).
    const queue = RedisRequestQueue.for(address, {
      ...options.redis,
      tls: options.redis?.tls ?? options.tls,
    });
    return new QueueClientTransport(queue, { ...options.redis, maxMessageBytes: options.maxMessageBytes });
  },
  listen(url, options): Promise<QueueListener> {
    const address = parseRedisAddress(url);
    const queue = new RedisWorkerQueue(address, options.redis);
    return listenQueue(address.redacted, queue, { ...options, ...options.redis });
  },
};

/** `rediss://…`: the same over TLS. */
export const redissScheme: EndpointScheme = {
  ...redisScheme,
  name: 'rediss',
  example: 'rediss://redis.example.com:6380/0?stream=mcp:everything',
};
