import type { Command } from 'commander';
import { SwitchboardError } from '../../errors.js';

/** The flags {@link addResilienceOptions} declares, as commander hands them over. */
export interface ResilienceFlags {
  retry?: boolean;
  retryMax?: string;
  retryTools?: string;
  breaker?: boolean;
  breakerThreshold?: string;
  breakerWindow?: string;
  breakerHalfOpen?: string;
  bulkhead?: string;
  bulkheadQueue?: string;
  health?: boolean;
  healthInterval?: string;
  wsCompression?: boolean;
  httpCompression?: boolean;
  linkFrontend?: boolean;
  linkBackend?: boolean;
  linkCompression?: string;
  linkKeyFile?: string;
  metrics?: boolean;
  metricsBytes?: boolean;
  tracing?: boolean;
  record?: string;
}

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

function int(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw usage(`--${name} "${value}": expected a whole number`);
  return Number(value);
}

function ratio(name: string, value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw usage(`--${name} "${value}": expected a number between 0 and 1 (e.g. 0.5)`);
  return n;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * Declares the resilience, link, compression and observability flags of `switchboard serve`.
 *
 * @param command - the serve command
 * @returns the same command
 */
export function addResilienceOptions(command: Command): Command {
  return command
    .option('--no-retry', 'do not re-send failed requests (default: idempotent ones are retried)')
    .option('--retry-max <n>', 'retries per request (default 2)')
    .option(
      '--retry-tools <names>',
      'comma-separated tools whose tools/call may be retried (idempotent tools)',
    )
    .option('--no-breaker', 'no circuit breaker in front of the backend')
    .option('--breaker-threshold <ratio>', 'failure ratio that opens the breaker (default 0.5)')
    .option('--breaker-window <duration>', 'window the failure ratio is measured over (default 30s)')
    .option('--breaker-half-open <duration>', 'open breaker lets one probe through after (default 10s)')
    .option('--bulkhead <n>', 'most requests in flight per backend connection (default: no limit)')
    .option('--bulkhead-queue <n>', 'requests waiting for a bulkhead slot before refusals (default 256)')
    .option('--no-health', 'do not ping idle backends (default: every 30s; 3 failures → restart)')
    .option('--health-interval <duration>', 'ping an idle backend this often (default 30s)')
    .option('--ws-compression', 'WebSocket permessage-deflate on ws:// frontends and backends')
    .option('--http-compression', 'HTTP frontends: gzip/br responses and SSE streams (per Accept-Encoding)')
    .option(
      '--link-frontend',
      'tcp/unix frontends accept switchboard links (compression, batching, encryption)',
    )
    .option('--link-backend', 'the backend is another switchboard: open a link to it')
    .option('--link-compression <codecs>', 'link codecs by preference, e.g. lz4,br,gzip, or none')
    .option(
      '--link-key-file <file>',
      'YAML/JSON file with link keys: keys: [{ id, secret }] (encrypts links)',
    )
    .option('--no-metrics', 'no Prometheus /metrics')
    .option('--metrics-bytes', 'count message bytes in/out (one extra JSON.stringify per message)')
    .option('--no-tracing', 'no OpenTelemetry spans')
    .option('--record <file.jsonl>', 'record every client frame to a JSONL file (see switchboard replay)');
}

/**
 * Writes what the flags say into the raw configuration (before validation); flags win over the file.
 * Negatable flags only ever turn a feature off (commander reports `true` when they are absent).
 *
 * @param merged - the raw configuration being built by `resolveServeConfig`
 * @throws SwitchboardError `INVALID_OPTIONS` for malformed values
 */
export function applyResilienceFlags(merged: Record<string, unknown>, flags: ResilienceFlags): void {
  const section = (parent: Record<string, unknown>, key: string): Record<string, unknown> => {
    const current = parent[key];
    const copy =
      typeof current === 'object' && current !== null ? { ...(current as Record<string, unknown>) } : {};
    parent[key] = copy;
    return copy;
  };
  const resilience = section(merged, 'resilience');
  if (flags.retry === false || flags.retryMax !== undefined || flags.retryTools !== undefined) {
    const retry = section(resilience, 'retry');
    if (flags.retry === false) retry.enabled = false;
    if (flags.retryMax !== undefined) retry.maxRetries = int('retry-max', flags.retryMax);
    if (flags.retryTools !== undefined) retry.tools = list(flags.retryTools);
  }
  if (
    flags.breaker === false ||
    flags.breakerThreshold !== undefined ||
    flags.breakerWindow !== undefined ||
    flags.breakerHalfOpen !== undefined
  ) {
    const breaker = section(resilience, 'circuitBreaker');
    if (flags.breaker === false) breaker.enabled = false;
    if (flags.breakerThreshold !== undefined)
      breaker.threshold = ratio('breaker-threshold', flags.breakerThreshold);
    if (flags.breakerWindow !== undefined) breaker.window = flags.breakerWindow;
    if (flags.breakerHalfOpen !== undefined) breaker.halfOpenAfter = flags.breakerHalfOpen;
  }
  if (flags.bulkhead !== undefined || flags.bulkheadQueue !== undefined) {
    const bulkhead = section(resilience, 'bulkhead');
    if (flags.bulkhead !== undefined) bulkhead.maxConcurrent = int('bulkhead', flags.bulkhead);
    if (flags.bulkheadQueue !== undefined) bulkhead.maxQueued = int('bulkhead-queue', flags.bulkheadQueue);
  }
  if (flags.health === false || flags.healthInterval !== undefined) {
    const health = section(resilience, 'health');
    if (flags.health === false) health.enabled = false;
    if (flags.healthInterval !== undefined) health.interval = flags.healthInterval;
  }
  if (flags.wsCompression === true || flags.httpCompression === true) {
    const compression = section(merged, 'compression');
    if (flags.wsCompression === true) compression.websocket = true;
    if (flags.httpCompression === true) compression.http = true;
  }
  if (
    flags.linkFrontend === true ||
    flags.linkBackend === true ||
    flags.linkCompression !== undefined ||
    flags.linkKeyFile !== undefined
  ) {
    const link = section(merged, 'link');
    if (flags.linkFrontend === true) link.frontend = true;
    if (flags.linkBackend === true) link.backend = true;
    if (flags.linkCompression !== undefined) {
      link.compression = flags.linkCompression === 'none' ? [] : list(flags.linkCompression);
    }
    if (flags.linkKeyFile !== undefined) link.keyFile = flags.linkKeyFile;
  }
  if (
    flags.metrics === false ||
    flags.metricsBytes === true ||
    flags.tracing === false ||
    flags.record !== undefined
  ) {
    const observability = section(merged, 'observability');
    if (flags.metrics === false) observability.metrics = false;
    if (flags.metricsBytes === true) observability.measureBytes = true;
    if (flags.tracing === false) observability.tracing = false;
    if (flags.record !== undefined) observability.record = flags.record;
  }
}
