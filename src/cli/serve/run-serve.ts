import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import type { Listener } from '../../listener.js';
import { Proxy, type ProxyEvent } from '../../proxy/proxy.js';
import { healthRoutes, startAdminServer, type AdminRoute } from '../admin-server.js';
import { describeBackendTarget } from '../backend-target.js';
import { adaptersConfigured, startAdapters } from './adapter-startup.js';
import { startFrontends } from './frontends.js';
import { backendFactory } from './backend-factory.js';
import { authenticatesOn, createDashboardWiring, type DashboardWiring } from './dashboard-wiring.js';
import { createEraWiring } from './era-wiring.js';
import { createMiddlewareWiring } from './middleware-wiring.js';
import { createSecurityWiring, type SecurityWiring } from './security-wiring.js';
import {
  acceptFor,
  knownSecrets,
  logBackendFailure,
  restartOptions,
  sessionProxyOptions,
} from './session-wiring.js';
import { QueueListener } from '../../queue/queue-listener.js';
import { registerScaleOutMetrics } from '../../observability/scale-out-metrics.js';
import { redisListenSettings } from './redis-wiring.js';
import { createStateWiring } from './state-wiring.js';

/** A running `serve`. */
export interface RunningServe {
  proxy: Proxy;
  /** Bound URLs of the frontends (ports resolved). */
  urls: string[];
  /** Resolves when serving should end on its own (the stdio client went away). */
  done: Promise<void>;
  /** Graceful stop: stop accepting, drain up to the grace period, close sessions and backends. */
  close(): Promise<void>;
}

function logEvent(log: Logger, event: ProxyEvent, backend: string): void {
  switch (event.type) {
    case 'session-opened':
      log.info(
        { session: event.sessionId, sessions: event.sessions, remote: event.info.remoteAddress },
        'session opened',
      );
      return;
    case 'session-closed':
      log.info({ session: event.sessionId, sessions: event.sessions }, 'session closed');
      return;
    case 'session-refused':
      log.warn({ reason: event.reason, remote: event.info?.remoteAddress }, 'session refused');
      return;
    case 'session-idle':
      log.info(
        { session: event.sessionId },
        event.reason === 'silent' ? 'closing a session that sent nothing' : 'closing idle session',
      );
      return;
    case 'error':
      log.debug({ session: event.sessionId, side: event.side, err: event.error.message }, 'relay error');
      return;
    case 'backend': {
      const e = event.event;
      const session = event.sessionId ?? 'shared';
      if (e.type === 'restarting')
        log.info({ session, delayMs: e.delayMs, attempt: e.attempt }, 'restarting backend');
      else if (e.type === 'started') log.info({ session, attempt: e.attempt, backend }, 'backend started');
      else log.debug({ session, event: e.type }, 'backend');
      return;
    }
  }
}

/**
 * Starts `switchboard serve` from a validated configuration: the proxy, every frontend listener, the
 * health routes (on HTTP frontends, and on `adminBind`), and returns a handle to stop it.
 */
export async function runServe(config: ServeConfig, log: Logger): Promise<RunningServe> {
  // Security first: a refused backend (SSRF guard, command policy) is a startup error.
  const security = createSecurityWiring(config, log);
  await security.checkStartup();
  const wiring = createMiddlewareWiring(config, log);
  const dashboard = createDashboardWiring(config, log, authenticatesOn(security), { server: 'backend' });
  const plainConnect = wiring.wrapConnect(
    backendFactory(config, log, security, (sessionId, line) =>
      dashboard.onStderr(undefined, sessionId, line),
    ),
  );
  const era = createEraWiring(config, log, plainConnect);
  const connectBackend = era.wrapConnect(plainConnect);
  const backendName = config.backend ? describeBackendTarget(config.backend) : 'built-in demo server';
  // Describe the backend once before listening: a bad URI or option is a startup error, not a
  // listener whose every session fails later. (Nothing is spawned or dialled here.)
  await connectBackend(undefined).close();
  const secrets = knownSecrets(config);
  const proxy = new Proxy({
    connectBackend,
    sessionMode: config.sessionMode,
    ...sessionProxyOptions(config),
    restart: restartOptions(config),
    relay: { requestTimeoutMs: config.requestTimeout, maxRequestTimeoutMs: config.maxRequestTimeout },
    wrapBackend: (backend, sessionId, info) =>
      wiring.wrapBackend(era.wrapSession(backend, sessionId, info), sessionId),
    onDropped: (drop) => log.debug(drop, 'shared backend message reached no session'),
    onEvent: (event) => {
      // Backend failures carry a child's stderr: logged redacted, with the incident clients were given.
      if (!logBackendFailure(log, event, (id) => [...secrets, ...Object.values(security.childEnv(id))]))
        logEvent(log, event, backendName);
      wiring.onProxyEvent(event);
      security.onProxyEvent(event);
      dashboard.onProxyEvent(event);
    },
  });
  // REST/GraphQL adapters: one MCP session into the proxy, through the same security and middleware.
  // Loaded only when configured: they bring graphql, ajv and the UI packages.
  const adapters = adaptersConfigured(config)
    ? await import('./adapter-wiring.js').then(({ ADAPTER_FRONTEND, createAdapterWiring }) =>
        createAdapterWiring(config, log, {
          // The adapters' session belongs to the process: never closed for idleness or silence.
          accept: wiring.frontend(
            ADAPTER_FRONTEND,
            security.frontend(
              ADAPTER_FRONTEND,
              proxy.acceptWith({ idleTimeoutMs: 0, firstMessageTimeoutMs: 0 }),
            ),
          ),
          security,
        }),
      )
    : undefined;
  const shared = await createStateWiring(config, log).catch(async (error: unknown) => {
    await adapters?.close();
    await proxy.close({ graceMs: 0 });
    await era.close();
    await wiring.close();
    throw error;
  });
  const listeners: Listener[] = [];
  // Ready also means Redis answers, when state or a worker queue lives there.
  const ready = (): boolean =>
    proxy.ready &&
    (shared?.state.reachable ?? true) &&
    listeners.every((l) => (l as { reachable?: boolean }).reachable !== false);
  const routes: Record<string, AdminRoute> = {
    ...healthRoutes(ready),
    ...wiring.routes(ready),
  };
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
        accept: (uri) => acceptFor(uri, proxy),
        adapters,
        http: shared?.httpListen,
        // A worker of a queue pool (`redis://…?stream=NAME`): TLS towards Redis, the re-run rule.
        redis: redisListenSettings(config),
        logFields: (_uri, listener) => {
          const worker = (listener as { workerId?: unknown }).workerId;
          return typeof worker === 'string' ? { worker } : {};
        },
        exposes: 'the backend',
      },
      listeners,
    );
  } catch (error) {
    await adapters?.close();
    await proxy.close({ graceMs: 0 });
    await era.close();
    await wiring.close();
    dashboard.close();
    await shared?.close();
    throw error;
  }
  shared?.advertise(listeners.map((l) => l.url));
  const queues = listeners.filter((l): l is QueueListener => l instanceof QueueListener);
  if (wiring.metrics && (queues.length > 0 || shared)) {
    // Registered when the registry is built (the first scrape): prom-client is not loaded before.
    wiring.metrics.whenRegistryBuilt((registry) =>
      registerScaleOutMetrics(registry, {
        queues: () => queues,
        adoptedSessions: () => shared?.state.adopted ?? 0,
      }),
    );
  }
  if (adapters) startAdapters(adapters, listeners, log);
  const admin = await startAdmin(config, log, { security, dashboard, routes });
  log.info(
    {
      backend: config.backend ? describeBackendTarget(config.backend) : 'built-in demo server',
      sessionMode: config.sessionMode,
    },
    'serving',
  );

  let closing: Promise<void> | undefined;
  return {
    proxy,
    urls: listeners.map((l) => l.url),
    done: done.length > 0 ? Promise.race(done) : new Promise<void>(() => undefined),
    close: () =>
      (closing ??= (async () => {
        log.info({ graceMs: config.shutdownGrace }, 'shutting down');
        // Live dashboard streams never end on their own: closed first, so they do not hold the grace period.
        dashboard.close();
        // Stop accepting first; sessions keep draining while the proxy waits for them.
        const stopListeners = Promise.allSettled(
          listeners.map((l) => l.close({ graceMs: config.shutdownGrace })),
        );
        await proxy.close({ graceMs: config.shutdownGrace });
        await era.close();
        await stopListeners;
        await adapters?.close();
        await admin?.close();
        await wiring.close();
        await shared?.close();
        log.info('stopped');
      })()),
  };
}

/**
 * Starts the admin HTTP server of `--admin-bind host:port` (none without it): health, readiness, metrics
 * and the dashboard behind the Host/Origin checks and authentication, and logs where it is.
 */
export async function startAdmin(
  config: ServeConfig,
  log: Logger,
  parts: {
    security: Pick<SecurityWiring, 'protectRoutes'>;
    dashboard: DashboardWiring;
    routes: Record<string, AdminRoute>;
  },
): Promise<{ url: string; close: () => Promise<void> } | undefined> {
  const bind = config.adminBind;
  if (!bind) return undefined;
  const i = bind.lastIndexOf(':');
  const host = bind.slice(0, i).replace(/^\[|\]$/g, '');
  const { allowedOrigins } = config.http;
  const { security, dashboard, routes } = parts;
  const admin = await startAdminServer(
    host,
    Number(bind.slice(i + 1)),
    security.protectRoutes({ ...routes, ...dashboard.adminRoutes() }, undefined),
    {
      allowedOrigins: allowedOrigins.length > 0 ? allowedOrigins : undefined,
      onFault: (error) => log.error({ err: error.message }, 'admin request failed'),
    },
  );
  log.info({ url: admin.url }, 'admin endpoint (/healthz, /readyz, /metrics)');
  if (dashboard.monitor && config.dashboard.admin) log.info({ url: `${admin.url}/dashboard` }, 'dashboard');
  return admin;
}
