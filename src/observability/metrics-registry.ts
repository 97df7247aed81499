import diagnosticsChannel from 'node:diagnostics_channel';
import type { Registry } from 'prom-client';
import { loadPromClient } from '../lazy-modules.js';
import { ChannelName, type RateLimitRefusal } from './channels.js';
import { DeferredRegistry } from './deferred-registry.js';
import {
  FastCounter,
  FastGauge,
  FastHistogram,
  type CounterSeries,
  type GaugeSeries,
  type HistogramSeries,
} from './fast-metrics.js';
import { methodLabel } from './metric-labels.js';

/** Options of {@link SwitchboardMetrics}. */
export interface SwitchboardMetricsOptions {
  /** Also export Node process metrics (CPU, memory, event-loop lag, GC; prom-client defaults). Default true. */
  processMetrics?: boolean | undefined;
  /** Histogram buckets of operation durations, in seconds (default: the OpenTelemetry MCP advice). */
  durationBuckets?: readonly number[] | undefined;
}

/** Operation duration buckets advised by the OpenTelemetry MCP semantic conventions, in seconds. */
export const MCP_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
];

/** Outcome of one request, for `switchboard_requests_total`. */
export type RequestOutcome = 'ok' | 'error' | 'tool_error';

/** Which side of the switchboard observed an operation. */
export type OperationSide = 'server' | 'client';

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/** The series one kind of operation (side, method, outcome) counts in. */
interface OperationSeries {
  histogram: HistogramSeries;
  counter: CounterSeries | undefined;
}

/**
 * The switchboard's Prometheus metrics, on a registry of its own (`prom-client`). Values are kept
 * without prom-client; its registry is built (and prom-client loaded) when first asked for — the first
 * scrape, or {@link registry} — so a process nobody scrapes never loads it. Process metrics start then
 * too (CPU and memory are totals anyway; GC and event-loop figures count from that moment).
 *
 * Names follow the OpenTelemetry MCP semantic conventions where they define one
 * (`mcp.server.operation.duration` → `mcp_server_operation_duration_seconds`, labels `mcp_method_name`
 * and `error_type`); the rest are `switchboard_*`.
 *
 * It also subscribes to the {@link ChannelName.rateLimitRefused} diagnostics channel, so rate limiters
 * anywhere count refusals without a reference to it. Call {@link close} to unsubscribe.
 *
 * @example
 * ```ts
 * const metrics = new SwitchboardMetrics();
 * const frontend = pipe(transport, metricsMiddleware({ metrics }));
 * res.setHeader('content-type', metrics.contentType).end(await metrics.render());
 * ```
 */
export class SwitchboardMetrics {
  readonly #deferred: DeferredRegistry;
  readonly #serverDuration: FastHistogram;
  readonly #clientDuration: FastHistogram;
  readonly #requests: FastCounter;
  readonly #sessions: GaugeSeries;
  readonly #sessionsOpened: CounterSeries;
  readonly #sessionDuration: HistogramSeries;
  readonly #backendRestarts: CounterSeries;
  readonly #backendExits: CounterSeries;
  readonly #backendGaveUp: CounterSeries;
  readonly #breakerState: FastGauge;
  readonly #breakerTransitions: FastCounter;
  readonly #bulkheadRejections: FastCounter;
  readonly #retries: FastCounter;
  readonly #bytes: FastCounter;
  readonly #rateLimited: FastCounter;
  readonly #healthFailures: CounterSeries;
  readonly #linkRejected: FastCounter;
  /** Series by key: looked up once per side, method and outcome, not hashed per request. */
  readonly #children = new Map<string, OperationSeries>();
  /** The children of successful operations by method, one map per side: no key string per request. */
  readonly #succeeded = {
    server: new Map<string, OperationSeries>(),
    client: new Map<string, OperationSeries>(),
  };
  readonly #bytesIn: CounterSeries;
  readonly #bytesOut: CounterSeries;
  #inflightCount = 0;
  readonly #onRateLimit = (message: unknown): void => {
    const scope = (message as Partial<RateLimitRefusal> | null)?.scope;
    this.rateLimitRefused(typeof scope === 'string' ? scope : 'unknown');
  };
  readonly #onLinkRejected = (message: unknown): void => {
    const reason = (message as { reason?: unknown } | null)?.reason;
    this.linkRejected(typeof reason === 'string' ? reason : 'unknown');
  };

  /** @param options - process metrics on/off, duration buckets */
  constructor(options: SwitchboardMetricsOptions = {}) {
    const processMetrics = options.processMetrics ?? true;
    const sink = (this.#deferred = new DeferredRegistry((registry) => {
      if (processMetrics) loadPromClient().collectDefaultMetrics({ register: registry });
    }));
    const buckets = [...(options.durationBuckets ?? MCP_DURATION_BUCKETS)];
    this.#serverDuration = new FastHistogram(sink, {
      name: 'mcp_server_operation_duration_seconds',
      help: 'MCP request duration as observed by the switchboard towards its clients (received → answered).',
      buckets,
    });
    this.#clientDuration = new FastHistogram(sink, {
      name: 'mcp_client_operation_duration_seconds',
      help: 'MCP request duration as observed by the switchboard towards its backend (sent → answered).',
      buckets,
    });
    this.#requests = new FastCounter(sink, {
      name: 'switchboard_requests_total',
      help: 'Client requests answered, by method and outcome (ok, error, tool_error).',
    });
    const inflight = (): number => this.#inflightCount;
    new FastGauge(sink, {
      name: 'switchboard_requests_in_flight',
      help: 'Client requests waiting for an answer.',
      collect: (gauge) => gauge.set({}, inflight()),
    });
    // Metrics without labels show 0 before their first event (as prom-client's do).
    this.#sessions = new FastGauge(sink, {
      name: 'switchboard_sessions',
      help: 'Open client sessions.',
    }).series({});
    this.#sessionsOpened = new FastCounter(sink, {
      name: 'switchboard_sessions_opened_total',
      help: 'Client sessions opened.',
    }).series({});
    this.#sessionDuration = new FastHistogram(sink, {
      name: 'mcp_server_session_duration_seconds',
      help: 'Duration of client sessions.',
      buckets: [1, 10, 60, 300, 1800, 3600, 14_400, 86_400],
    }).series({});
    this.#backendRestarts = new FastCounter(sink, {
      name: 'switchboard_backend_restarts_total',
      help: 'Backend restarts (or reconnections) scheduled after a backend died.',
    }).series({});
    this.#backendExits = new FastCounter(sink, {
      name: 'switchboard_backend_exits_total',
      help: 'Backends that died (child exited, connection lost).',
    }).series({});
    this.#backendGaveUp = new FastCounter(sink, {
      name: 'switchboard_backend_gave_up_total',
      help: 'Times the supervisor stopped restarting a backend that kept failing.',
    }).series({});
    this.#breakerState = new FastGauge(sink, {
      name: 'switchboard_circuit_breaker_state',
      help: 'Circuit breaker state: 1 for the current state, 0 for the others.',
    });
    for (const s of BREAKER_STATES) this.#breakerState.set({ state: s }, s === 'closed' ? 1 : 0);
    this.#breakerTransitions = new FastCounter(sink, {
      name: 'switchboard_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes, by the state entered.',
    });
    this.#bulkheadRejections = new FastCounter(sink, {
      name: 'switchboard_bulkhead_rejections_total',
      help: 'Requests refused because the backend had no free slot and a full queue.',
    });
    this.#retries = new FastCounter(sink, {
      name: 'switchboard_retries_total',
      help: 'Requests re-sent to the backend after a failure.',
    });
    this.#bytes = new FastCounter(sink, {
      name: 'switchboard_message_bytes_total',
      help: 'JSON-RPC message bytes exchanged with clients (in = from clients, out = to clients).',
    });
    this.#rateLimited = new FastCounter(sink, {
      name: 'switchboard_rate_limit_refusals_total',
      help: 'Requests refused by a rate limiter, by scope.',
    });
    this.#healthFailures = new FastCounter(sink, {
      name: 'switchboard_health_check_failures_total',
      help: 'Backend health pings that failed or timed out.',
    }).series({});
    this.#linkRejected = new FastCounter(sink, {
      name: 'switchboard_link_frames_rejected_total',
      help: 'Frames of switchboard-to-switchboard links rejected (tampered, replayed, undecodable).',
    });
    this.#bytesIn = this.#bytes.series({ direction: 'in' });
    this.#bytesOut = this.#bytes.series({ direction: 'out' });
    diagnosticsChannel.subscribe(ChannelName.rateLimitRefused, this.#onRateLimit);
    diagnosticsChannel.subscribe(ChannelName.linkRejected, this.#onLinkRejected);
  }

  /**
   * The prom-client registry (add your own metrics to it if you like). Built, and prom-client loaded,
   * on first access.
   */
  get registry(): Registry {
    return this.#deferred.registry;
  }

  /**
   * Registers a metric of prom-client's shape (a prom-client metric or a fast metric), in the registry
   * once it is built: unlike `registry.registerMetric`, this does not load prom-client.
   */
  registerMetric(metric: never): void {
    this.#deferred.registerMetric(metric);
  }

  /**
   * Calls `register` with the registry once it is built (at once if it is): a place for metrics made
   * with prom-client's own classes, which would load it at startup.
   */
  whenRegistryBuilt(register: (registry: Registry) => void): void {
    this.#deferred.whenBuilt(register);
  }

  /** Content type of {@link render}'s output (Prometheus text exposition format). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The metrics in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** A request started (client → switchboard). */
  requestStarted(): void {
    this.#inflightCount++;
  }

  /**
   * A request ended: counts it, observes its duration and leaves in-flight.
   *
   * @param side - `server` (towards clients, counted in requests/in-flight) or `client` (towards the backend)
   * @param method - the JSON-RPC method (collapsed to `other` when unknown)
   * @param seconds - duration
   * @param errorType - `undefined` on success, else the `error_type` label (see `errorTypeLabel`)
   */
  operation(side: OperationSide, method: string, seconds: number, errorType: string | undefined): void {
    const child =
      errorType === undefined
        ? (this.#succeeded[side].get(method) ?? this.#operationSeries(side, method, undefined))
        : this.#operationSeries(side, method, errorType);
    child.histogram.observe(seconds);
    if (child.counter === undefined) return;
    this.#inflightCount--;
    child.counter.inc();
  }

  #operationSeries(side: OperationSide, method: string, errorType: string | undefined): OperationSeries {
    const key = `${side} ${method} ${errorType ?? ''}`;
    let child = this.#children.get(key);
    if (child === undefined) {
      const m = methodLabel(method);
      const histogram = side === 'server' ? this.#serverDuration : this.#clientDuration;
      const outcome: RequestOutcome =
        errorType === undefined ? 'ok' : errorType === 'tool_error' ? 'tool_error' : 'error';
      child = {
        histogram: histogram.series({ mcp_method_name: m, error_type: errorType ?? '' }),
        counter: side === 'server' ? this.#requests.series({ mcp_method_name: m, outcome }) : undefined,
      };
      // Bounded: unknown methods share one key per error type only after methodLabel; keep the cache small.
      if (this.#children.size < 2_000 && m === method) {
        this.#children.set(key, child);
        if (errorType === undefined) this.#succeeded[side].set(method, child);
      }
    }
    return child;
  }

  /** A request left in-flight without an answer (session closed). */
  requestAbandoned(): void {
    this.#inflightCount--;
  }

  /** Bytes of messages exchanged with clients. */
  bytes(direction: 'in' | 'out', count: number): void {
    (direction === 'in' ? this.#bytesIn : this.#bytesOut).inc(count);
  }

  sessionOpened(): void {
    this.#sessions.inc();
    this.#sessionsOpened.inc();
  }

  /** @param seconds - how long the session lasted */
  sessionClosed(seconds: number): void {
    this.#sessions.dec();
    this.#sessionDuration.observe(seconds);
  }

  backendExited(): void {
    this.#backendExits.inc();
  }

  backendRestarting(): void {
    this.#backendRestarts.inc();
  }

  backendGaveUp(): void {
    this.#backendGaveUp.inc();
  }

  /** The circuit breaker entered `state`. */
  breakerState(state: (typeof BREAKER_STATES)[number]): void {
    for (const s of BREAKER_STATES) this.#breakerState.set({ state: s }, s === state ? 1 : 0);
    this.#breakerTransitions.series({ state }).inc();
  }

  bulkheadRejected(method: string): void {
    this.#bulkheadRejections.series({ mcp_method_name: methodLabel(method) }).inc();
  }

  retried(method: string): void {
    this.#retries.series({ mcp_method_name: methodLabel(method) }).inc();
  }

  /** A rate limiter refused a request (also reachable through `publishRateLimitRefusal`). */
  rateLimitRefused(scope: string): void {
    this.#rateLimited.series({ scope: scope.slice(0, 40) }).inc();
  }

  healthCheckFailed(): void {
    this.#healthFailures.inc();
  }

  linkRejected(reason: string): void {
    this.#linkRejected.series({ reason: reason.slice(0, 40) }).inc();
  }

  /** Unsubscribes from the diagnostics channels. */
  close(): void {
    diagnosticsChannel.unsubscribe(ChannelName.rateLimitRefused, this.#onRateLimit);
    diagnosticsChannel.unsubscribe(ChannelName.linkRejected, this.#onLinkRejected);
  }
}
