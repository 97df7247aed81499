import { SwitchboardError } from '../../errors.js';

/** Everything a `redis://` / `rediss://` endpoint URI says. */
export interface RedisAddress {
  /** The URL node-redis connects to: scheme, credentials, host, port, database (no query). */
  connectUrl: string;
  /** The same without the password, for logs, errors and `Listener.url`. */
  redacted: string;
  /** `rediss:`: TLS. */
  tls: boolean;
  /** Host name (for TLS SNI and verification). */
  host: string;
  /** The queue name: the pool stream's key (after `prefix`). */
  stream: string;
  /** Consumer group of the pool (default `switchboard`). */
  group: string;
  /** Prepended to every key (default empty). */
  prefix: string;
  /** Approximate cap on entries per stream (`XADD … MAXLEN ~`; default 100,000). */
  maxLen: number;
  /** Longest a blocking read waits before it is re-issued, in ms (default 5,000). */
  blockMs: number;
  /** Heartbeat interval of workers, in ms (default 1,000). */
  heartbeatMs: number;
  /** A worker without a heartbeat for this long is dead: its connections are adopted (default 5,000). */
  deadAfterMs: number;
  /** A dead worker's pending record is reclaimed once idle this long, in ms (default 1,000). */
  reclaimIdleMs: number;
  /** Fixed worker id for `listen()` (default: random). */
  worker: string | undefined;
}

const QUERY_KEYS = new Set([
  'stream',
  'group',
  'prefix',
  'maxlen',
  'block',
  'heartbeat',
  'deadAfter',
  'reclaimIdle',
  'worker',
]);
const NAME = /^[\w.:{}@/-]{1,200}$/;
const EXAMPLE = 'redis://127.0.0.1:6379/0?stream=mcp:everything';

function bad(url: URL, why: string): never {
  throw new SwitchboardError(
    'INVALID_URI',
    `Invalid ${url.protocol} URI "${redact(url)}": ${why}. Example: ${EXAMPLE}`,
  );
}

function redact(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}

function intParam(url: URL, name: string, fallback: number, min: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) bad(url, `"${name}" must be a whole number ≥ ${min}`);
  return Number(raw);
}

function nameParam(url: URL, name: string, fallback: string | undefined): string | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!NAME.test(raw)) bad(url, `"${name}" must be 1-200 characters of [A-Za-z0-9_.:{}@/-]`);
  return raw;
}

/**
 * Parses a queue endpoint URI: `redis://[user:password@]host[:port][/db]?stream=NAME[&group=…]
 * [&prefix=…][&maxlen=…][&block=ms][&heartbeat=ms][&deadAfter=ms][&reclaimIdle=ms][&worker=ID]`;
 * `rediss://` for TLS.
 *
 * @throws SwitchboardError `INVALID_URI` naming the problem (the password is never shown)
 */
export function parseRedisAddress(url: URL): RedisAddress {
  const tls = url.protocol === 'rediss:';
  if (!tls && url.protocol !== 'redis:') bad(url, 'expected redis:// or rediss://');
  if (url.hostname === '') bad(url, 'a host is required');
  if (url.hash !== '') bad(url, 'a fragment is not allowed');
  const db = url.pathname === '' || url.pathname === '/' ? '0' : url.pathname.slice(1);
  if (!/^\d{1,2}$/.test(db)) bad(url, 'the path must be a database number, e.g. /0');
  for (const key of url.searchParams.keys()) {
    if (!QUERY_KEYS.has(key)) bad(url, `unknown parameter "${key}" (known: ${[...QUERY_KEYS].join(', ')})`);
  }
  const stream = nameParam(url, 'stream', undefined);
  if (stream === undefined) bad(url, '"stream" is required (the queue name)');
  const connect = new URL(url.href);
  connect.search = '';
  connect.pathname = `/${db}`;
  const shown = new URL(connect.href);
  if (shown.password !== '') shown.password = '***';
  const heartbeatMs = intParam(url, 'heartbeat', 1_000, 50);
  const deadAfterMs = intParam(url, 'deadAfter', 5_000, 100);
  if (deadAfterMs < 2 * heartbeatMs) bad(url, '"deadAfter" must be at least twice "heartbeat"');
  return {
    connectUrl: connect.href,
    redacted: `${shown.href}?stream=${stream}`,
    tls,
    host: url.hostname,
    stream: stream,
    group: nameParam(url, 'group', 'switchboard') as string,
    prefix: url.searchParams.get('prefix') === null ? '' : (nameParam(url, 'prefix', '') as string),
    maxLen: intParam(url, 'maxlen', 100_000, 100),
    blockMs: intParam(url, 'block', 5_000, 10),
    heartbeatMs,
    deadAfterMs,
    reclaimIdleMs: intParam(url, 'reclaimIdle', 1_000, 0),
    worker: nameParam(url, 'worker', undefined),
  };
}

/** A URI with its password replaced by `***` (for logs); unparseable input is returned as `redis:…`. */
export function redactRedisUri(uri: string): string {
  try {
    return redact(new URL(uri));
  } catch {
    return uri.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The keys of one queue. Every key starts with the prefix and the stream name. */
export class RedisQueueKeys {
  readonly pool: string;
  readonly workers: string;
  readonly #base: string;

  constructor(address: Pick<RedisAddress, 'prefix' | 'stream'>) {
    this.#base = `${address.prefix}${address.stream}`;
    this.pool = this.#base;
    // The set of workers that ever joined (liveness is their heartbeat key).
    this.workers = `${this.#base}:workers`;
  }

  /** A worker's inbox stream. */
  inbox(worker: string): string {
    return `${this.#base}:in:${worker}`;
  }

  /** A connection's own reply stream (clients that name none in their `open` record). */
  replies(conn: string): string {
    return `${this.#base}:out:${conn}`;
  }

  /** The reply stream a client process shares among its connections (`id` is random per process). */
  clientReplies(id: string): string {
    return `${this.#base}:rx:${id}`;
  }

  /** A worker's heartbeat key: it exists (with a TTL of `deadAfter`) while the worker lives. */
  heartbeat(worker: string): string {
    return `${this.#base}:hb:${worker}`;
  }

  /** The connections a worker owns (so a successor can adopt them all). */
  owned(worker: string): string {
    return `${this.#base}:owned:${worker}`;
  }

  /** Lock of the worker adopting a dead worker's connections. */
  adopting(worker: string): string {
    return `${this.#base}:adopting:${worker}`;
  }

  /** Tool name → `safe` / `unsafe` to re-run after a worker died (from `tools/list` annotations). */
  get tools(): string {
    return `${this.#base}:tools`;
  }

  /** A connection's state: owner, cached initialize, flow-control counters. */
  connection(conn: string): string {
    return `${this.#base}:conn:${conn}`;
  }
}
