import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { Gateway, type GatewayEvent } from '../../gateway/gateway.js';
import { CATALOG_SESSION } from '../../gateway/gateway-server.js';
import type { Listener } from '../../listener.js';
import type { ProxyEvent, SessionOverrides } from '../../proxy/proxy.js';
import { healthRoutes, type AdminRoute } from '../admin-server.js';
import { packageVersion } from '../version.js';
import { gatewayMetrics } from './gateway-observability.js';
import { logGatewayEvent } from './gateway-observability.js';
import { buildServers } from './gateway-servers.js';
import { adaptersConfigured, startAdapters } from './adapter-startup.js';
import { startFrontends } from './frontends.js';
import { authenticatesOn, createDashboardWiring, routeOf } from './dashboard-wiring.js';
import { createMiddlewareWiring } from './middleware-wiring.js';
import { startAdmin } from './run-serve.js';
import { createSecurityWiring } from './security-wiring.js';
import { withPrincipal } from './session-wiring.js';

/** A stdio frontend's one session (whose client owns the process) is never closed for idleness or silence. */
function stdioOverrides(uri: string): SessionOverrides | undefined {
  return /^stdio:/i.test(uri) ? { idleTimeoutMs: 0, firstMessageTimeoutMs: 0 } : undefined;
}

/** A running gateway (`serve` with `servers:`). */
export interface RunningGateway {
  gateway: Gateway;
  /** Bound URLs of the frontends (ports resolved). */
  urls: string[];
  /** Resolves when serving should end on its own (the stdio client went away). */
  done: Promise<void>;
  /** Graceful stop: stop accepting, drain up to the grace period, close sessions and servers. */
  close(): Promise<void>;
}

const PROXY_EVENTS = new Set([
  'session-opened',
  'session-closed',
  'session-refused',
  'session-idle',
  'error',
]);

/** `/readyz` of a gateway: 200 while at least one server is up, with every server's status. */
function readyRoute(gateway: () => Gateway | undefined): AdminRoute {
  return (_req: IncomingMessage, res: ServerResponse) => {
    const g = gateway();
    const status = g?.status();
    const ready = status?.ready ?? false;
    const servers = Object.fromEntries(
      (status?.servers ?? []).map((s) => [
        s.server,
        s.reason ? { status: s.status, reason: s.reason } : { status: s.status },
      ]),
    );
    const allUp = status?.servers.every((s) => s.status === 'up') ?? false;
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ status: ready ? (allUp ? 'ready' : 'degraded') : 'not ready', servers }));
  };
}

/**
 * Starts `switchboard serve` as a gateway: every configured server (each supervised, with its own
 * middleware), the merged catalog, every frontend listener (virtual servers per `expose`), the health
 * routes (`/readyz` with per-server status) and metrics with server labels.
 *
 * @throws SwitchboardError for a refused or invalid server (naming it), or a listener that cannot bind
 */
export async function runGateway(config: ServeConfig, log: Logger): Promise<RunningGateway> {
  // The frontends' security (auth, policy on the namespaced names, rate limits); servers are checked below.
  const security = createSecurityWiring({ ...config, backend: undefined }, log);
  await security.checkStartup();
  const wiring = createMiddlewareWiring(config, log);
  // The metrics and routes read the gateway, which needs the servers (and their metrics) first.
  const current: { gateway?: Gateway } = {};
  const metrics = wiring.metrics ? gatewayMetrics(wiring.metrics, () => current.gateway) : undefined;
  const dashboard = createDashboardWiring(config, log, authenticatesOn(security), {
    server: 'gateway',
    route: (method, target) => routeOf(current.gateway, method, target),
  });
  const built = await buildServers(
    config,
    log,
    security,
    (name) => metrics?.middleware(name),
    (server, sessionId, line) => dashboard.onStderr(server, sessionId ?? CATALOG_SESSION, line),
  );
  const relayTimeout = Math.max(config.requestTimeout, ...built.map((b) => b.config.requestTimeout));
  const relayMax = Math.max(config.maxRequestTimeout, ...built.map((b) => b.config.maxRequestTimeout));
  const closeWirings = (): Promise<unknown> =>
    Promise.allSettled([wiring.close(), ...built.map((b) => b.wiring.close())]);
  const g = new Gateway({
    servers: built.map((b) => b.options),
    namespace: config.namespace,
    serverInfo: { name: config.gateway.name, version: packageVersion() },
    instructions: config.gateway.instructions,
    maxSessions: config.maxSessions,
    idleTimeoutMs: config.idleTimeout,
    firstMessageTimeoutMs: config.firstMessageTimeout,
    clientLimits: config.clientLimits,
    relay: { requestTimeoutMs: relayTimeout, maxRequestTimeoutMs: relayMax },
    catalogTimeoutMs: config.gateway.catalogTimeout,
    startTimeoutMs: config.gateway.startTimeout,
    probeIntervalMs: config.gateway.probeInterval,
    pageSize: config.gateway.pageSize,
    onEvent: (event: GatewayEvent) => {
      logGatewayEvent(log, event);
      metrics?.onEvent(event);
      if (PROXY_EVENTS.has(event.type)) {
        wiring.onProxyEvent(event as ProxyEvent);
        security.onProxyEvent(event as ProxyEvent);
        dashboard.onProxyEvent(event as ProxyEvent);
        if (event.type === 'session-opened')
          log.info({ session: event.sessionId, sessions: event.sessions }, 'session opened');
        else if (event.type === 'session-closed')
          log.info({ session: event.sessionId, sessions: event.sessions }, 'session closed');
        else if (event.type === 'session-refused') log.warn({ reason: event.reason }, 'session refused');
      } else if (event.type === 'server-backend') {
        wiring.onProxyEvent({ type: 'backend', sessionId: event.sessionId, event: event.event });
        // The catalog's connection (in shared mode, the shared backend) is reported without a session.
        dashboard.monitor?.backendEvent(event.server, event.sessionId ?? CATALOG_SESSION, event.event);
      }
    },
  });
  current.gateway = g;
  await g.start();

  // REST/GraphQL adapters over the merged catalog: one gateway session, through the same security and
  // middleware as every frontend; namespaced names also answer POST /{server}/{tool}.
  const adapters = adaptersConfigured(config)
    ? await import('./adapter-wiring.js').then(({ ADAPTER_FRONTEND, createAdapterWiring }) =>
        createAdapterWiring(config, log, {
          accept: wiring.frontend(
            ADAPTER_FRONTEND,
            security.frontend(
              ADAPTER_FRONTEND,
              withPrincipal(g.frontend(undefined, { idleTimeoutMs: 0, firstMessageTimeoutMs: 0 })),
            ),
          ),
          security,
          namespaces:
            config.namespace === false
              ? undefined
              : { separator: config.namespace.separator, servers: built.map((b) => b.options.name) },
        }),
      )
    : undefined;
  const routes: Record<string, AdminRoute> = {
    ...healthRoutes(() => g.ready),
    ...wiring.routes(() => g.ready),
    '/readyz': readyRoute(() => current.gateway),
  };
  const listeners: Listener[] = [];
  let done: Promise<void>[];
  try {
    done = await startFrontends(
      config,
      log,
      {
        security,
        wiring,
        dashboard,
        routes,
        accept: (uri) => withPrincipal(g.frontend(config.expose[uri], stdioOverrides(uri))),
        adapters,
        logFields: (uri) => (config.expose[uri] ? { expose: config.expose[uri] } : {}),
        exposes: 'the servers',
      },
      listeners,
    );
  } catch (error) {
    await adapters?.close();
    await g.close({ graceMs: 0 });
    await closeWirings();
    dashboard.close();
    throw error;
  }
  if (adapters) startAdapters(adapters, listeners, log);
  const admin = await startAdmin(config, log, { security, dashboard, routes });
  log.info({ servers: g.catalog.statuses(), sessionMode: config.sessionMode }, 'serving');

  let closing: Promise<void> | undefined;
  return {
    gateway: g,
    urls: listeners.map((l) => l.url),
    done: done.length > 0 ? Promise.race(done) : new Promise<void>(() => undefined),
    close: () =>
      (closing ??= (async () => {
        log.info({ graceMs: config.shutdownGrace }, 'shutting down');
        // Live dashboard streams never end on their own: closed first, so they do not hold the grace period.
        dashboard.close();
        const stopListeners = Promise.allSettled(
          listeners.map((l) => l.close({ graceMs: config.shutdownGrace })),
        );
        await g.close({ graceMs: config.shutdownGrace });
        await stopListeners;
        await adapters?.close();
        await admin?.close();
        await closeWirings();
        log.info('stopped');
      })()),
  };
}
