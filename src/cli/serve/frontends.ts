import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { listen } from '../../endpoint/registry.js';
import type { ListenOptions } from '../../endpoint/scheme.js';
import { BufferBudget } from '../../framing/buffer-budget.js';
import type { ConnectionInfo, Listener } from '../../listener.js';
import type { Transport } from '../../transport.js';
import { requestPathname } from '../../transports/request-url.js';
import type { TlsServerOptions } from '../../transports/tls-options.js';
import type { AdminRoute } from '../admin-server.js';
import type { AdapterWiring } from './adapter-wiring.js';
import { pageLinks, type DashboardWiring } from './dashboard-wiring.js';
import { isLoopbackListen } from './frontend-flags.js';
import type { MiddlewareWiring } from './middleware-wiring.js';
import type { SecurityWiring } from './security-wiring.js';

/** What {@link startFrontends} plugs into every listener of `serve` (one backend, or a gateway). */
export interface FrontendParts {
  security: SecurityWiring;
  wiring: MiddlewareWiring;
  dashboard: DashboardWiring;
  /** Health, readiness, metrics: served on HTTP frontends after the edge checks. */
  routes: Record<string, AdminRoute>;
  /** The session entry of the listen URI `uri` (before security, middleware and dashboard). */
  accept: (uri: string) => (transport: Transport, info: ConnectionInfo) => void;
  adapters?: AdapterWiring | undefined;
  /** Extra HTTP listener settings (shared state in Redis: event store, session directory). */
  http?: Partial<NonNullable<ListenOptions['http']>> | undefined;
  /** Settings of `redis://` listeners (a worker of a queue pool). */
  redis?: ListenOptions['redis'];
  /** Extra fields of the `listening` log line. */
  logFields?: ((uri: string, listener: Listener) => Record<string, unknown>) | undefined;
  /** What a non-loopback listener without authentication exposes (`the backend`, `the servers`). */
  exposes: string;
}

/** TLS of tls://, https://, wss:// frontends; a client CA turns on mutual TLS. */
export function frontendTls(config: ServeConfig): TlsServerOptions {
  const { certFile, keyFile, clientCaFile, minVersion } = config.tls;
  return {
    minVersion,
    ...(certFile !== undefined ? { certFile } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
    ...(clientCaFile !== undefined
      ? { caFile: clientCaFile, requestCert: true, rejectUnauthorized: true }
      : {}),
  };
}

/** Routes of an HTTP frontend: answered when the path matches (GET only), else left to MCP. */
function routeHandler(table: Record<string, AdminRoute>) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = req.method === 'GET' ? requestPathname(req.url) : undefined;
    const route = path === undefined ? undefined : table[path];
    if (!route) return false;
    route(req, res);
    return true;
  };
}

/**
 * Opens every frontend of a serve configuration into `listeners`: one buffer budget and the same frame
 * deadlines for all, TLS, the HTTP edge (Origin allow-list, authentication, routes behind the checks,
 * adapters' mounts, the dashboard), WebSocket settings. On failure the listeners opened so far are
 * closed and the error is rethrown.
 *
 * @returns the promises that settle when a listener ends on its own (the stdio client went away)
 */
export async function startFrontends(
  config: ServeConfig,
  log: Logger,
  parts: FrontendParts,
  listeners: Listener[],
): Promise<Promise<void>[]> {
  const { security, wiring, dashboard, routes, adapters } = parts;
  const done: Promise<void>[] = [];
  // One budget for every frontend: the bound holds for the process, whatever mix of listeners.
  const bufferBudget = new BufferBudget(config.maxBufferedBytes);
  const deadlines = { firstFrameTimeoutMs: config.firstFrameTimeout, frameTimeoutMs: config.frameTimeout };
  const origins = config.http.allowedOrigins.length > 0 ? { allowedOrigins: config.http.allowedOrigins } : {};
  try {
    for (const uri of config.listen) {
      const listener = await listen(uri, {
        onConnection: dashboard.frontend(
          uri,
          wiring.frontend(uri, security.frontend(uri, parts.accept(uri))),
        ),
        maxMessageBytes: config.maxMessageBytes,
        bufferBudget,
        socket: deadlines,
        tls: frontendTls(config),
        http: {
          responseMode: config.http.responseMode,
          mcp: config.http.mcp,
          ...(adapters ? { mounts: adapters.mounts } : {}),
          ...origins,
          // Served after the listener's Host/Origin checks; /metrics behind authentication when configured.
          ...security.httpOptions(
            uri,
            routeHandler(
              security.protectRoutes(
                { ...routes, ...dashboard.frontendRoutes(uri, () => pageLinks(routes, config.adapters)) },
                uri,
              ),
            ),
          ),
          ...wiring.httpListen,
          ...parts.http,
        },
        ...(parts.redis !== undefined ? { redis: parts.redis } : {}),
        // Browsers reach WebSocket frontends too: the same Origin allow-list applies.
        websocket: {
          ...deadlines,
          ...origins,
          ...wiring.websocketListen,
          ...security.websocketOptions(uri),
        },
      });
      security.bound(uri, listener.url);
      dashboard.bound(uri, listener.url);
      listeners.push(listener);
      if ('closed' in listener && listener.closed instanceof Promise)
        done.push(listener.closed as Promise<void>);
      log.info({ url: listener.url, ...parts.logFields?.(uri, listener) }, 'listening');
      if (!isLoopbackListen(listener.url) && !security.authenticatesOn(uri)) {
        log.warn(
          { url: listener.url },
          `listening on a non-loopback address without authentication: anyone who can reach it can use ${parts.exposes}`,
        );
      }
    }
  } catch (error) {
    await Promise.allSettled(listeners.map((l) => l.close({ graceMs: 0 })));
    throw error;
  }
  return done;
}
