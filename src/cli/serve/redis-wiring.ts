import type { ServeConfig } from '../../config/serve-config.js';
import type { RedisConnectSettings, RedisListenSettings } from '../../queue/redis/redis-settings.js';
import type { TlsClientOptions } from '../../transports/tls-options.js';

/** TLS towards `rediss://` servers, from the `redis` section (only what was set). */
export function redisTls(config: ServeConfig): TlsClientOptions {
  const { caFile, certFile, keyFile, servername } = config.redis;
  return {
    ...(caFile !== undefined ? { caFile } : {}),
    ...(certFile !== undefined ? { certFile } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
    ...(servername !== undefined ? { servername } : {}),
  };
}

/** `listen('redis://…')` settings of a worker: TLS towards Redis, the re-run rule. */
export function redisListenSettings(config: ServeConfig): RedisListenSettings {
  return { tls: redisTls(config), rerunUnsafe: config.redis.rerunUnsafe };
}

/** `connect('redis://…')` settings of a worker-pool backend. */
export function redisConnectSettings(config: ServeConfig): RedisConnectSettings {
  return { tls: redisTls(config) };
}
