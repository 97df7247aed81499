import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import type { Listener } from '../../listener.js';
import type { AdapterWiring } from './adapter-wiring.js';

/**
 * `true` when the configuration turns on the REST or GraphQL adapter. Checked before their modules
 * are loaded: they bring graphql, ajv and the UI packages, which other deployments never pay for.
 */
export function adaptersConfigured(config: Pick<ServeConfig, 'adapters'>): boolean {
  return config.adapters.rest !== undefined || config.adapters.graphql !== undefined;
}

/** Logs where the adapters are served (or that no HTTP frontend serves them) and connects them. */
export function startAdapters(adapters: AdapterWiring, listeners: readonly Listener[], log: Logger): void {
  const http = listeners.filter((l) => /^https?:/i.test(l.url));
  if (http.length === 0) log.warn('adapters are configured but no http:// or https:// frontend serves them');
  for (const l of http) {
    const origin = new URL(l.url).origin;
    for (const mount of adapters.mounts)
      log.info({ url: `${origin}${mount.path === '/' ? '' : mount.path}` }, 'adapter');
  }
  adapters.start();
}
