import type { QueueClientOptions } from '../queue-client-transport.js';
import type { QueueListenOptions } from '../queue-listener.js';
import type { RedisClientSettings } from './redis-client.js';

/** `connect('redis://…', { redis })`: Redis connection settings plus the queue connection's options. */
export interface RedisConnectSettings
  extends RedisClientSettings, Omit<QueueClientOptions, 'maxMessageBytes'> {}

/**
 * `listen('redis://…', { redis })`: Redis connection settings (TLS towards Redis goes in `redis.tls`,
 * since the worker is a Redis client) plus flow-control and idle settings of its connections.
 */
export interface RedisListenSettings
  extends
    RedisClientSettings,
    Pick<QueueListenOptions, 'windowBytes' | 'maxQueuedBytes' | 'idleTimeoutMs' | 'rerunUnsafe'> {}
