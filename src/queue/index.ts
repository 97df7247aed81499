// Subpath `mcp-switchboard/queue`: MCP over a request queue (worker pools), with the Redis Streams implementation.
export type {
  QueueRecord,
  ReceivedRecord,
  ReplyHandlers,
  RequestQueue,
  ClientConnection,
  WorkerHandlers,
  WorkerQueue,
  ClaimResult,
} from './queue-types.js';
export { recordBytes } from './queue-types.js';
export { QueueClientTransport } from './queue-client-transport.js';
export type { QueueClientOptions } from './queue-client-transport.js';
export { QueueServerTransport } from './queue-server-transport.js';
export { QueueListener, listenQueue, DEFAULT_QUEUE_IDLE_MS } from './queue-listener.js';
export type { QueueListenOptions } from './queue-listener.js';
export { FlowSender, DEFAULT_QUEUE_WINDOW_BYTES, DEFAULT_QUEUE_MAX_QUEUED_BYTES } from './flow-sender.js';
export { parseRedisAddress, redactRedisUri, RedisQueueKeys } from './redis/redis-address.js';
export type { RedisAddress } from './redis/redis-address.js';
export { RedisRequestQueue } from './redis/redis-request-queue.js';
export { RedisWorkerQueue } from './redis/redis-worker-queue.js';
export type { RedisConnectSettings, RedisListenSettings } from './redis/redis-settings.js';
export type { RedisClientSettings } from './redis/redis-client.js';
