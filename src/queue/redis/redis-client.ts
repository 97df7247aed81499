import type { createClient } from '@redis/client';
import { SwitchboardError } from '../../errors.js';
import { tlsClientOptions, type TlsClientOptions } from '../../transports/tls-options.js';
import type { RedisAddress } from './redis-address.js';

/** A connected node-redis client (default modules; it speaks RESP3, `HELLO 3`). */
export type RedisClient = ReturnType<typeof createClient>;

/** Connection settings of the Redis clients of a queue. */
export interface RedisClientSettings {
  /** CA, client certificate, SNI name for `rediss://`. */
  tls?: TlsClientOptions | undefined;
  /** Time allowed to connect, in ms (default 5,000). */
  connectTimeoutMs?: number | undefined;
  /** Bound on commands waiting for Redis on one connection (default 100,000); beyond, commands fail. */
  maxQueuedCommands?: number | undefined;
}

/** Initial connection attempts before `connect()` gives up (later losses reconnect forever). */
const INITIAL_ATTEMPTS = 3;

/**
 * Opens one Redis connection. The first connection fails fast (a few attempts) with
 * `CONNECTION_FAILED`; once connected, a lost connection is re-established with backoff, and commands
 * issued meanwhile wait (bounded by `maxQueuedCommands`).
 *
 * @param onError - every connection error (never thrown; node-redis would crash the process otherwise)
 * @throws SwitchboardError `CONNECTION_FAILED` naming the redacted address
 */
export async function openRedisClient(
  address: Pick<RedisAddress, 'connectUrl' | 'redacted' | 'tls' | 'host'>,
  settings: RedisClientSettings,
  onError: (error: Error) => void,
): Promise<RedisClient> {
  // Loaded on first use: a process that never speaks to Redis does not pay for the client at startup.
  const { createClient } = await import('@redis/client');
  let connected = false;
  const tls = address.tls ? tlsClientOptions(settings.tls ?? {}, address.host) : undefined;
  const client = createClient({
    url: address.connectUrl,
    commandsQueueMaxLength: settings.maxQueuedCommands ?? 100_000,
    socket: {
      connectTimeout: settings.connectTimeoutMs ?? 5_000,
      ...(tls ? { tls: true as const, ...tls } : {}),
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!connected && retries >= INITIAL_ATTEMPTS - 1) return cause;
        return Math.min(2_000, 25 * 2 ** Math.min(retries, 8));
      },
    },
  });
  client.on('error', (error: unknown) => {
    onError(error instanceof Error ? error : new Error(String(error)));
  });
  try {
    await client.connect();
  } catch (cause) {
    throw new SwitchboardError(
      'CONNECTION_FAILED',
      `Cannot connect to ${address.redacted}: ${(cause as Error).message}`,
      { cause },
    );
  }
  connected = true;
  return client as RedisClient;
}

/** Closes a client without waiting for replies (blocked reads end at once). Never throws. */
export function destroyRedisClient(client: RedisClient | undefined): void {
  if (client === undefined) return;
  try {
    if (client.isOpen) client.destroy();
  } catch {
    // Already closed.
  }
}

/** `true` for the Redis error that a consumer group (or its stream) does not exist. */
export function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

/** Creates `group` on `key` (and the stream) unless it exists. */
export async function ensureGroup(
  client: RedisClient,
  key: string,
  group: string,
  from = '0',
): Promise<void> {
  try {
    await client.xGroupCreate(key, group, from, { MKSTREAM: true });
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
  }
}
