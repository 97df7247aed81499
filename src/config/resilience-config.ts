import { z } from 'zod';
import { Duration } from './duration.js';

const Ratio = z.number().gt(0).lt(1);
const Count = z.number().int().min(0);

/** Retry of failed requests towards the backend (see `retry()` middleware). */
export const RetryConfigSchema = z
  .object({
    /** On by default: only what is safe is retried. */
    enabled: z.boolean().default(true),
    /** Retries after the first attempt. */
    maxRetries: Count.max(10).default(2),
    initialDelay: Duration.default(100),
    maxDelay: Duration.default(5_000),
    /** Methods re-sent after they reached the backend (default: the idempotent ones; never tools/call). */
    methods: z.array(z.string().min(1)).optional(),
    /** Tools whose tools/call may be re-sent too (known to be idempotent). */
    tools: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** Circuit breaker per backend (see `CircuitBreaker`). */
export const BreakerConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Failure ratio over the window that opens the breaker. */
    threshold: Ratio.default(0.5),
    window: Duration.default(30_000),
    /** Fewest requests in the window before the ratio counts. */
    minimumRequests: z.number().int().min(1).default(10),
    /** Open → one probe after this long. */
    halfOpenAfter: Duration.default(10_000),
  })
  .strict();

/** Bulkhead per backend connection (see `Bulkhead`). Off by default (maxConcurrent 0). */
export const BulkheadConfigSchema = z
  .object({
    /** Requests in flight per backend connection (0 = no bulkhead). */
    maxConcurrent: Count.default(0),
    /** Requests waiting for a slot before refusals start. */
    maxQueued: Count.default(256),
  })
  .strict();

/** Backend health monitoring (see `health()`). */
export const HealthConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    interval: Duration.default(30_000),
    timeout: Duration.default(10_000),
    /** Consecutive failed pings before the backend is restarted. */
    failures: z.number().int().min(1).default(3),
  })
  .strict();

const LinkCodec = z.enum(['lz4', 'br', 'gzip']);

/** A link key: id and a 32-byte secret as base64 or hex. */
export const LinkKeySchema = z.object({ id: z.string().min(1), secret: z.string().min(1) }).strict();

/** Switchboard-to-switchboard links over TCP/TLS/Unix (see `link()`). */
export const LinkConfigSchema = z
  .object({
    /** Our tcp/tls/unix frontends accept switchboard links (plain MCP clients are still served unless keys are set). */
    frontend: z.boolean().default(false),
    /** Our backend is another switchboard: open a link to it. */
    backend: z.boolean().default(false),
    /** Codecs in order of preference; [] = no compression. Default: lz4 (where available), br, gzip. */
    compression: z.array(LinkCodec).optional(),
    compressMinBytes: Count.default(1024),
    batching: z.boolean().default(true),
    /** AES-256-GCM keys; the first seals what we send. Non-empty = every link frame encrypted. */
    keys: z.array(LinkKeySchema).default([]),
    /** A YAML/JSON file holding `keys: [{ id, secret }]` (kept out of the main config). */
    keyFile: z.string().min(1).optional(),
  })
  .strict();

/** Compression outside links. */
export const CompressionConfigSchema = z
  .object({
    /** WebSocket permessage-deflate on ws:// frontends and backends. */
    websocket: z.boolean().default(false),
    /** HTTP frontends: Content-Encoding gzip/br for JSON bodies and SSE streams (negotiated by Accept-Encoding). */
    http: z.boolean().default(false),
    /** Bodies smaller than this are sent uncompressed. */
    httpMinBytes: Count.default(1024),
  })
  .strict();

/** Metrics, tracing and recording. */
export const ObservabilityConfigSchema = z
  .object({
    /** Prometheus metrics on /metrics (HTTP frontends and --admin-bind). */
    metrics: z.boolean().default(true),
    /**
     * Count message bytes in and out (`switchboard_message_bytes_total`). Off by default: it costs one
     * extra JSON.stringify per message, the largest single cost of the default chain.
     */
    measureBytes: z.boolean().default(false),
    /** Node process metrics (CPU, memory, event loop, GC). */
    processMetrics: z.boolean().default(true),
    /** OpenTelemetry spans (no-op unless an SDK is registered, e.g. with --import). */
    tracing: z.boolean().default(true),
    /** Record every client frame to this JSONL file (see `switchboard replay`). */
    record: z.string().min(1).optional(),
  })
  .strict();

/**
 * The sections this area adds to the `serve` configuration, spread into `ServeConfigSchema`.
 * YAML keys: `resilience`, `link`, `compression`, `observability`.
 */
export const resilienceConfigShape = {
  resilience: z
    .object({
      retry: RetryConfigSchema.prefault({}),
      circuitBreaker: BreakerConfigSchema.prefault({}),
      bulkhead: BulkheadConfigSchema.prefault({}),
      health: HealthConfigSchema.prefault({}),
    })
    .strict()
    .prefault({}),
  link: LinkConfigSchema.prefault({}),
  compression: CompressionConfigSchema.prefault({}),
  observability: ObservabilityConfigSchema.prefault({}),
};

/** The sections on their own (for validating them apart from `serve`). */
export const ResilienceSectionsSchema = z.object(resilienceConfigShape);

/** The validated sections (defaults applied, durations in ms). */
export type ResilienceConfig = z.infer<typeof ResilienceSectionsSchema>;
