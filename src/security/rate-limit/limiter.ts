import { SwitchboardError } from '../../errors.js';
import { TokenBucket } from './token-bucket.js';

/** Rate and burst of one bucket. */
export interface BucketSpec {
  /** Sustained requests per second (> 0). */
  ratePerSecond: number;
  /** Requests admitted at once after a quiet period (default: `ratePerSecond`, at least 1). */
  burst?: number | undefined;
}

interface Spec {
  ratePerSecond: number;
  burst: number;
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions extends BucketSpec {
  /** Extra buckets per tool (`tools/call` of that name), on top of the principal's own bucket. */
  tools?: Readonly<Record<string, BucketSpec>> | undefined;
  /** Most principals (and principal × tool pairs) tracked at once (default 10 000; oldest evicted). */
  maxKeys?: number | undefined;
  /** Clock in ms (default `Date.now`). */
  now?: (() => number) | undefined;
}

/** What {@link RateLimiter.take} decided. */
export type RateDecision =
  { allowed: true } | { allowed: false; retryAfterMs: number; scope: 'principal' | 'tool' };

/** Default bound on tracked keys. */
export const DEFAULT_RATE_LIMIT_KEYS = 10_000;

/**
 * Token buckets per principal (a token subject, an API key id, a client certificate, or a client IP),
 * optionally per tool too. The bucket map is bounded (`maxKeys`): when full, the least recently used
 * key is dropped (a key is "used" on every request), which can only make the limit more lenient for a
 * principal idle long enough to be the oldest — never stricter.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ ratePerSecond: 10, burst: 20, tools: { search: { ratePerSecond: 1 } } });
 * const d = limiter.take('sub:alice', 'search');
 * if (!d.allowed) reply429(d.retryAfterMs);
 * ```
 */
export class RateLimiter {
  readonly #spec: Spec;
  readonly #tools: ReadonlyMap<string, Spec>;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, TokenBucket>();

  /**
   * @param options - rate, burst, per-tool buckets, key bound (default 10 000)
   * @throws SwitchboardError `INVALID_OPTIONS` for a rate that is not a positive number
   */
  constructor(options: RateLimiterOptions) {
    this.#spec = normalise(options);
    this.#tools = new Map(Object.entries(options.tools ?? {}).map(([name, spec]) => [name, normalise(spec)]));
    this.#maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_RATE_LIMIT_KEYS);
    this.#now = options.now ?? Date.now;
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Admits one request of `principal` (for `tool`, when it is a tool call) or says how long to wait.
   * The per-tool bucket is checked first, and a refusal takes nothing from the principal's bucket.
   *
   * @param principal - who is asking (stable, low-entropy keys only: never a raw token)
   * @param tool - the tool called, if any
   */
  take(principal: string, tool?: string): RateDecision {
    const now = this.#now();
    const toolSpec = tool === undefined ? undefined : this.#tools.get(tool);
    if (toolSpec !== undefined) {
      const wait = this.#bucket(`${principal}\u0000tool\u0000${tool ?? ''}`, toolSpec, now).take(now);
      if (wait > 0) return { allowed: false, retryAfterMs: wait, scope: 'tool' };
    }
    const wait = this.#bucket(principal, this.#spec, now).take(now);
    return wait > 0 ? { allowed: false, retryAfterMs: wait, scope: 'principal' } : { allowed: true };
  }

  #bucket(key: string, spec: Spec, now: number): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (bucket !== undefined) {
      // Re-insert: Map order is the LRU order.
      this.#buckets.delete(key);
    } else {
      bucket = new TokenBucket(spec.ratePerSecond, spec.burst, now);
      if (this.#buckets.size >= this.#maxKeys) this.#evict();
    }
    this.#buckets.set(key, bucket);
    return bucket;
  }

  #evict(): void {
    const oldest = this.#buckets.keys().next();
    if (oldest.done !== true) this.#buckets.delete(oldest.value);
  }
}

function normalise(spec: BucketSpec): Spec {
  if (!(spec.ratePerSecond > 0) || !Number.isFinite(spec.ratePerSecond)) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `ratePerSecond must be a positive number, got ${String(spec.ratePerSecond)}`,
    );
  }
  return {
    ratePerSecond: spec.ratePerSecond,
    burst: Math.max(1, Math.floor(spec.burst ?? spec.ratePerSecond)),
  };
}
