import { readFileSync } from 'node:fs';
import { loadYaml } from '../../lazy-modules.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { SwitchboardError } from '../../errors.js';
import type { ConnectionInfo } from '../../listener.js';
import { Bulkhead } from '../../middleware/bulkhead.js';
import { CircuitBreaker } from '../../middleware/circuit-breaker.js';
import { health } from '../../middleware/health.js';
import { link, parseLinkKeys, type LinkKey, type LinkOptions } from '../../middleware/link.js';
import { logging } from '../../middleware/logging.js';
import { metrics as metricsMiddleware } from '../../middleware/metrics.js';
import { pipe, type TransportMiddleware } from '../../middleware/pipe.js';
import { retry } from '../../middleware/retry.js';
import { TapRecorder } from '../../middleware/tap/tap-recorder.js';
import { tap } from '../../middleware/tap/tap.js';
import { tracing } from '../../middleware/tracing.js';
import { SwitchboardMetrics } from '../../observability/metrics-registry.js';
import type { ProxyEvent } from '../../proxy/proxy.js';
import type { Transport } from '../../transport.js';
import type { AdminRoute } from '../admin-server.js';

/** What `runServe` plugs in: decorators for each side, proxy events, admin routes, listen options. */
export interface MiddlewareWiring {
  /** The metrics registry, when metrics are on. */
  readonly metrics: SwitchboardMetrics | undefined;
  /** The backend's circuit breaker, when on. */
  readonly breaker: CircuitBreaker | undefined;
  /** Wraps the proxy's `connectBackend`: a link to another switchboard, health pings. */
  wrapConnect(
    connect: (sessionId: string | undefined) => Transport,
  ): (sessionId: string | undefined) => Transport;
  /** The proxy's `wrapBackend`: bulkhead, circuit breaker, retry, tracing (innermost first). */
  readonly wrapBackend: (backend: Transport, sessionId: string) => Transport;
  /** A listener's `onConnection` for `uri`: link (tcp/tls/unix), tap, metrics, debug logs — then `accept`. */
  frontend(
    uri: string,
    accept: (transport: Transport, info: ConnectionInfo) => void,
  ): (transport: Transport, info: ConnectionInfo) => void;
  /** Feed every proxy event here (sessions, backend restarts → metrics). */
  onProxyEvent(event: ProxyEvent): void;
  /** `/metrics` and a `/readyz` that includes the breaker, given the proxy's own readiness. */
  routes(proxyReady: () => boolean): Record<string, AdminRoute>;
  /** Extra listen options (WebSocket permessage-deflate). */
  readonly websocketListen: { perMessageDeflate: true } | undefined;
  /** Extra HTTP listen options (response compression). */
  readonly httpListen: { compression: { minBytes: number } } | undefined;
  /** Flushes the recording, unsubscribes metrics. */
  close(): Promise<void>;
}

const LINK_SCHEMES = new Set(['tcp', 'tls', 'unix']);
let sessionCounter = 0;

/** Reads the link keys of the configuration (inline and `keyFile`). */
export function loadLinkKeys(config: ServeConfig['link']): LinkKey[] {
  const inline = config.keys;
  let fromFile: { id: string; secret: string }[] = [];
  if (config.keyFile !== undefined) {
    let value: unknown;
    try {
      value = loadYaml().parse(readFileSync(config.keyFile, 'utf8'));
    } catch (error) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `link key file ${config.keyFile}: ${(error as Error).message}`,
      );
    }
    const keys = (value as { keys?: unknown } | null)?.keys;
    if (
      !Array.isArray(keys) ||
      !keys.every(
        (k) =>
          typeof (k as { id?: unknown }).id === 'string' &&
          typeof (k as { secret?: unknown }).secret === 'string',
      )
    ) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `link key file ${config.keyFile}: expected keys: [{ id, secret }]`,
      );
    }
    fromFile = keys as { id: string; secret: string }[];
  }
  return parseLinkKeys([...inline, ...fromFile]);
}

/**
 * Builds the middleware of `switchboard serve` from its configuration.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` for bad link keys or codecs
 */
export function createMiddlewareWiring(config: ServeConfig, log: Logger): MiddlewareWiring {
  const obs = config.observability;
  const res = config.resilience;
  const metrics = obs.metrics ? new SwitchboardMetrics({ processMetrics: obs.processMetrics }) : undefined;
  const breaker = res.circuitBreaker.enabled
    ? new CircuitBreaker({
        threshold: res.circuitBreaker.threshold,
        windowMs: res.circuitBreaker.window,
        minimumRequests: res.circuitBreaker.minimumRequests,
        halfOpenAfterMs: res.circuitBreaker.halfOpenAfter,
        timeoutMs: config.requestTimeout,
        onStateChange: (state) => {
          metrics?.breakerState(state);
          if (state === 'open')
            log.warn({ breaker: state }, 'backend circuit breaker opened: refusing requests');
          else log.info({ breaker: state }, `backend circuit breaker ${state}`);
        },
      })
    : undefined;
  const retryMiddleware = res.retry.enabled
    ? retry({
        maxRetries: res.retry.maxRetries,
        initialDelayMs: res.retry.initialDelay,
        maxDelayMs: res.retry.maxDelay,
        methods: res.retry.methods,
        tools: res.retry.tools,
        onRetry: (e) => {
          metrics?.retried(e.method);
          log.debug(
            { requestId: e.id, method: e.method, attempt: e.attempt, delayMs: Math.round(e.delayMs) },
            'retrying request',
          );
        },
      })
    : undefined;
  const bulkheadOptions =
    res.bulkhead.maxConcurrent > 0
      ? {
          maxConcurrent: res.bulkhead.maxConcurrent,
          maxQueued: res.bulkhead.maxQueued,
          onReject: (m: string) => metrics?.bulkheadRejected(m),
        }
      : undefined;
  // One bulkhead per backend: the shared backend's, or one per session's own backend.
  const sharedBulkhead =
    bulkheadOptions && config.sessionMode === 'shared' ? new Bulkhead(bulkheadOptions) : undefined;

  const keys = loadLinkKeys(config.link);
  const linkOptions = (role: 'dialer' | 'acceptor'): LinkOptions => ({
    role,
    compression: config.link.compression,
    compressMinBytes: config.link.compressMinBytes,
    batching: config.link.batching,
    keys,
    maxDecompressedBytes: config.maxMessageBytes,
    onRejected: (reason) => log.warn({ reason }, 'link frame rejected; closing the link'),
  });
  const linkDialer = config.link.backend ? link(linkOptions('dialer')) : undefined;
  const linkAcceptor = config.link.frontend ? link(linkOptions('acceptor')) : undefined;
  if (keys.length > 0 && !config.link.frontend && !config.link.backend) {
    log.warn('link keys are configured but neither --link-frontend nor --link-backend is on');
  }
  const healthMiddleware = res.health.enabled
    ? health({
        intervalMs: res.health.interval,
        timeoutMs: res.health.timeout,
        failures: res.health.failures,
        onFailure: (n, error) => {
          metrics?.healthCheckFailed();
          log.warn({ failures: n, err: error.message }, 'backend health check failed');
        },
      })
    : undefined;
  const recorder = obs.record
    ? TapRecorder.open(obs.record, { onError: (e) => log.warn({ err: e.message }, 'recording') })
    : undefined;
  const debug = log.isLevelEnabled('debug');
  const sessionStarts = new Map<string, number>();

  return {
    metrics,
    breaker,
    websocketListen: config.compression.websocket ? { perMessageDeflate: true } : undefined,
    httpListen: config.compression.http
      ? { compression: { minBytes: config.compression.httpMinBytes } }
      : undefined,
    wrapConnect: (connect) => (sessionId) => pipe(connect(sessionId), linkDialer, healthMiddleware),
    wrapBackend: (backend, sessionId) =>
      pipe(
        backend,
        sharedBulkhead?.middleware ?? (bulkheadOptions && new Bulkhead(bulkheadOptions).middleware),
        breaker?.middleware,
        retryMiddleware,
        obs.tracing && tracing({ sessionId }),
      ),
    frontend: (uri, accept) => {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
      const viaLink = linkAcceptor && LINK_SCHEMES.has(scheme) ? linkAcceptor : undefined;
      return (transport, info) => {
        const sessionId = info.sessionId ?? `s${++sessionCounter}`;
        const chain: (TransportMiddleware | undefined)[] = [
          viaLink,
          recorder && tap({ recorder, session: sessionId }),
          metrics && metricsMiddleware({ metrics, side: 'server', measureBytes: obs.measureBytes }),
          debug ? logging({ logger: log, session: sessionId }) : undefined,
        ];
        accept(pipe(transport, ...chain), { ...info, sessionId });
      };
    },
    onProxyEvent: (event) => {
      if (metrics === undefined) return;
      switch (event.type) {
        case 'session-opened':
          metrics.sessionOpened();
          sessionStarts.set(event.sessionId, Date.now());
          return;
        case 'session-closed': {
          const started = sessionStarts.get(event.sessionId);
          sessionStarts.delete(event.sessionId);
          metrics.sessionClosed(started === undefined ? 0 : (Date.now() - started) / 1000);
          return;
        }
        case 'backend':
          if (event.event.type === 'exited') metrics.backendExited();
          else if (event.event.type === 'restarting') metrics.backendRestarting();
          else if (event.event.type === 'gave-up') metrics.backendGaveUp();
          return;
        case 'session-refused':
        case 'session-idle':
        case 'error':
          return;
      }
    },
    routes: (proxyReady) => {
      const routes: Record<string, AdminRoute> = {
        '/readyz': (_req: IncomingMessage, res: ServerResponse) => {
          const rejecting = breaker?.rejecting ?? false;
          const ready = proxyReady() && !rejecting;
          res.writeHead(ready ? 200 : 503, {
            'content-type': 'application/json',
            'cache-control': 'no-store',
          });
          res.end(
            JSON.stringify({
              status: ready ? 'ready' : 'not ready',
              backend: proxyReady() ? 'up' : 'down',
              ...(breaker ? { breaker: breaker.state } : {}),
            }),
          );
        },
      };
      if (metrics) {
        routes['/metrics'] = (_req, res) => {
          metrics.render().then(
            (text) => {
              res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
              res.end(text);
            },
            (error: unknown) => {
              res.writeHead(500, { 'content-type': 'text/plain' });
              res.end(`metrics failed: ${(error as Error).message}\n`);
            },
          );
        };
      }
      return routes;
    },
    close: async () => {
      metrics?.close();
      await recorder?.close();
    },
  };
}
