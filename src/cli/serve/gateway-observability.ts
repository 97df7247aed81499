import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { GatewayEvent } from '../../gateway/gateway.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { TransportMiddleware } from '../../middleware/pipe.js';
import { TransportDecorator } from '../../middleware/transport-decorator.js';
import { FastCounter, FastGauge, FastHistogram, type MetricSink } from '../../observability/fast-metrics.js';
import { MCP_DURATION_BUCKETS } from '../../observability/metrics-registry.js';
import { errorTypeLabel, methodLabel } from '../../observability/metric-labels.js';
import {
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../../protocol/messages.js';
import type { Transport, TransportSendOptions } from '../../transport.js';

/** Logs a gateway's server and catalog events, each with the server's name. */
export function logGatewayEvent(log: Logger, event: GatewayEvent): void {
  switch (event.type) {
    case 'server-up':
      log.info(
        {
          server: event.server,
          era: event.era,
          tools: event.tools,
          prompts: event.prompts,
          resources: event.resources,
        },
        'server up',
      );
      return;
    case 'server-down':
      log.error(
        { server: event.server, reason: event.reason },
        'server down: its tools, prompts and resources are withdrawn',
      );
      return;
    case 'server-probe':
      log.info({ server: event.server, attempt: event.attempt }, 'trying a server that was down');
      return;
    case 'server-error':
      log.warn({ server: event.server, err: event.error.message }, 'catalog');
      return;
    case 'server-backend': {
      const e = event.event;
      const base = { server: event.server, session: event.sessionId ?? 'catalog' };
      if (e.type === 'exited')
        log.warn(
          { ...base, uptimeMs: e.uptimeMs, inflight: e.inflight, err: e.error.message },
          'backend exited',
        );
      else if (e.type === 'restarting')
        log.info({ ...base, delayMs: e.delayMs, attempt: e.attempt }, 'restarting backend');
      else if (e.type === 'gave-up')
        log.error({ ...base, attempts: e.attempts, err: e.error.message }, 'backend keeps failing; gave up');
      else if (e.type === 'started') log.debug({ ...base, attempt: e.attempt }, 'backend started');
      else log.debug({ ...base, event: e.type }, 'backend');
      return;
    }
    case 'catalog-changed':
      log.info(
        { server: event.change.server, status: event.change.status, lists: [...event.change.kinds] },
        'catalog changed',
      );
      return;
    case 'catalog-report':
      log.warn(
        { uri: event.report.uri, served: event.report.served, ignored: event.report.ignored },
        'a resource URI is listed by two servers: the first in the configuration serves it',
      );
      return;
    case 'session-opened':
    case 'session-closed':
    case 'session-refused':
    case 'session-idle':
    case 'backend':
    case 'error':
      return;
  }
}

/** Per-server Prometheus metrics of a gateway (labels carry the server's name). */
export interface GatewayMetrics {
  /** Counts requests, answers and their durations on one server's connections. */
  middleware(server: string): TransportMiddleware;
  /** Feed every gateway event here. */
  onEvent(event: GatewayEvent): void;
}

/**
 * Registers the gateway's metrics on `registry` (fast metrics: no prom-client until a scrape): `switchboard_gateway_server_up{server}`,
 * `switchboard_gateway_server_items{server,kind}`, `switchboard_gateway_backend_events_total{server,event}`,
 * `switchboard_gateway_requests_total{server,mcp_method_name,outcome}` and
 * `switchboard_gateway_request_duration_seconds{server,mcp_method_name}`.
 */
export function gatewayMetrics(registry: MetricSink, gateway: () => Gateway | undefined): GatewayMetrics {
  new FastGauge(registry, {
    name: 'switchboard_gateway_server_up',
    help: 'Whether each server behind the gateway is up (1), starting (0.5) or down (0).',
    collect(gauge) {
      for (const s of gateway()?.catalog.statuses() ?? []) {
        gauge.set({ server: s.server }, s.status === 'up' ? 1 : s.status === 'starting' ? 0.5 : 0);
      }
    },
  });
  const items = new FastGauge(registry, {
    name: 'switchboard_gateway_server_items',
    help: 'Tools, prompts and resources each server contributes to the catalog.',
  });
  const events = new FastCounter(registry, {
    name: 'switchboard_gateway_backend_events_total',
    help: 'Backend lifecycle events per server (exited, restarting, gave-up) and servers going down.',
  });
  // The per-request series are on the hot path: fast series, looked up once per method and outcome.
  const requests = new FastCounter(registry, {
    name: 'switchboard_gateway_requests_total',
    help: 'Requests answered by each server, by method and outcome.',
  });
  const duration = new FastHistogram(registry, {
    name: 'switchboard_gateway_request_duration_seconds',
    help: 'Duration of requests to each server (sent → answered).',
    buckets: MCP_DURATION_BUCKETS,
  });
  return {
    middleware: (server) => {
      // One cache per server, method and outcome: no label work on the hot path.
      const cache = new Map<string, Map<string, ServerSeries>>();
      const series: SeriesOf = (method, outcome) => {
        let byOutcome = cache.get(method);
        if (!byOutcome) cache.set(method, (byOutcome = new Map<string, ServerSeries>()));
        let child = byOutcome.get(outcome);
        if (!child) {
          child = {
            count: requests.series({ server, mcp_method_name: method, outcome }),
            duration: duration.series({ server, mcp_method_name: method }),
          };
          byOutcome.set(outcome, child);
        }
        return child;
      };
      return (inner) => new ServerMetricsTransport(inner, series);
    },
    onEvent(event) {
      if (event.type === 'server-up') {
        items.set({ server: event.server, kind: 'tools' }, event.tools);
        items.set({ server: event.server, kind: 'prompts' }, event.prompts);
        items.set({ server: event.server, kind: 'resources' }, event.resources);
      } else if (event.type === 'server-down') {
        events.series({ server: event.server, event: 'down' }).inc();
        for (const kind of ['tools', 'prompts', 'resources']) items.set({ server: event.server, kind }, 0);
      } else if (
        event.type === 'server-backend' &&
        ['exited', 'restarting', 'gave-up'].includes(event.event.type)
      ) {
        events.series({ server: event.server, event: event.event.type }).inc();
      }
    },
  };
}

/** Bound on requests timed per connection (older ones are forgotten, not counted). */
const MAX_TIMED = 10_000;

interface ServerSeries {
  count: { inc(): void };
  duration: { observe(value: number): void };
}

type SeriesOf = (method: string, outcome: string) => ServerSeries;

class ServerMetricsTransport extends TransportDecorator {
  readonly #series: SeriesOf;
  readonly #started = new Map<RequestId, { method: string; at: number }>();

  constructor(inner: Transport, series: SeriesOf) {
    super(inner);
    this.#series = series;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isRequest(message) && this.#started.size < MAX_TIMED) {
      this.#started.set(message.id, { method: methodLabel(message.method), at: performance.now() });
    }
    return super.send(message, options);
  }

  protected override receive(
    message: JSONRPCMessage,
    extra?: Parameters<TransportDecorator['receive']>[1],
  ): void {
    if (isResponse(message) && message.id !== undefined) {
      const started = this.#started.get(message.id);
      if (started) {
        this.#started.delete(message.id);
        const outcome = isErrorResponse(message)
          ? errorTypeLabel(message.error)
          : (message.result as { isError?: unknown }).isError === true
            ? 'tool_error'
            : 'ok';
        const series = this.#series(started.method, outcome);
        series.duration.observe((performance.now() - started.at) / 1000);
        series.count.inc();
      }
    }
    super.receive(message, extra);
  }
}
