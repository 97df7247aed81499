import { LATENCY_BINS, latencyBin, latencyQuantile } from './latency-histogram.js';
import type { LiveSeries } from './live-types.js';

/** Options of {@link OperationSeries}. */
export interface OperationSeriesOptions {
  /** Seconds per bucket (default 5). */
  bucketSeconds?: number | undefined;
  /** Buckets kept (default 60: five minutes of 5 s buckets). */
  buckets?: number | undefined;
  /** Most operations tracked; calls of others are counted under `(other)` (default 200). */
  maxOperations?: number | undefined;
}

interface Operation {
  server: string;
  method: string;
  target: string | undefined;
  /** Bucket start (in bucket units) of each slot, to tell a stale slot from a current one. */
  epoch: Float64Array;
  calls: Uint32Array;
  errors: Uint32Array;
  /** `buckets × LATENCY_BINS` latency counts. */
  latency: Uint32Array;
}

/**
 * Per-operation call counts, errors and latency histograms in time buckets over the last minutes: the
 * data behind the dashboard's rate, error-rate and p50/p95/p99 charts. Memory is fixed per operation
 * (a ring of buckets), and the number of operations is bounded.
 */
export class OperationSeries {
  readonly #bucketMs: number;
  readonly #buckets: number;
  readonly #max: number;
  readonly #ops = new Map<string, Operation>();

  /** @param options - bucket size and count, operation bound */
  constructor(options: OperationSeriesOptions = {}) {
    this.#bucketMs = (options.bucketSeconds ?? 5) * 1000;
    this.#buckets = options.buckets ?? 60;
    this.#max = options.maxOperations ?? 200;
  }

  get bucketSeconds(): number {
    return this.#bucketMs / 1000;
  }

  /** Counts one finished call. */
  record(
    server: string,
    method: string,
    target: string | undefined,
    ms: number,
    failed: boolean,
    now: number,
  ): void {
    const op = this.#operation(server, method, target);
    const epoch = Math.floor(now / this.#bucketMs);
    const slot = epoch % this.#buckets;
    if (op.epoch[slot] !== epoch) {
      op.epoch[slot] = epoch;
      op.calls[slot] = 0;
      op.errors[slot] = 0;
      op.latency.fill(0, slot * LATENCY_BINS, (slot + 1) * LATENCY_BINS);
    }
    op.calls[slot] = (op.calls[slot] as number) + 1;
    if (failed) op.errors[slot] = (op.errors[slot] as number) + 1;
    const bin = slot * LATENCY_BINS + latencyBin(ms);
    op.latency[bin] = (op.latency[bin] as number) + 1;
  }

  /** Calls per second over the last complete-or-current bucket, all operations. */
  rate(now: number): number {
    const epoch = Math.floor(now / this.#bucketMs);
    const slot = epoch % this.#buckets;
    let calls = 0;
    for (const op of this.#ops.values()) if (op.epoch[slot] === epoch) calls += op.calls[slot] as number;
    const elapsed = Math.max(1, now - epoch * this.#bucketMs);
    return (calls * 1000) / elapsed;
  }

  /** The series of every operation with calls in the window, busiest first (at most `limit`). */
  snapshot(now: number, limit = 50): LiveSeries[] {
    const last = Math.floor(now / this.#bucketMs);
    const first = last - this.#buckets + 1;
    const out: LiveSeries[] = [];
    for (const op of this.#ops.values()) {
      const s: LiveSeries = {
        server: op.server,
        method: op.method,
        ...(op.target !== undefined ? { target: op.target } : {}),
        calls: 0,
        errors: 0,
        time: [],
        rate: [],
        errorRate: [],
        p50: [],
        p95: [],
        p99: [],
      };
      for (let e = first; e <= last; e++) {
        const slot = ((e % this.#buckets) + this.#buckets) % this.#buckets;
        const live = op.epoch[slot] === e;
        const calls = live ? (op.calls[slot] as number) : 0;
        const errors = live ? (op.errors[slot] as number) : 0;
        s.calls += calls;
        s.errors += errors;
        s.time.push(e * this.#bucketMs);
        const seconds = e === last ? Math.max(1, now - e * this.#bucketMs) / 1000 : this.#bucketMs / 1000;
        s.rate.push(calls / seconds);
        s.errorRate.push(calls === 0 ? null : errors / calls);
        const offset = slot * LATENCY_BINS;
        s.p50.push(calls === 0 ? null : latencyQuantile(op.latency, offset, 0.5));
        s.p95.push(calls === 0 ? null : latencyQuantile(op.latency, offset, 0.95));
        s.p99.push(calls === 0 ? null : latencyQuantile(op.latency, offset, 0.99));
      }
      if (s.calls > 0) out.push(s);
    }
    out.sort((a, b) => b.calls - a.calls);
    return out.slice(0, limit);
  }

  #operation(server: string, method: string, target: string | undefined): Operation {
    let key = `${server}\u0000${method}\u0000${target ?? ''}`;
    let op = this.#ops.get(key);
    if (op !== undefined) return op;
    if (this.#ops.size >= this.#max) {
      // Beyond the bound, calls still count, together, so totals stay right.
      key = `${server}\u0000(other)\u0000`;
      op = this.#ops.get(key);
      if (op !== undefined) return op;
      method = '(other)';
      target = undefined;
    }
    op = {
      server,
      method,
      target,
      epoch: new Float64Array(this.#buckets).fill(-1),
      calls: new Uint32Array(this.#buckets),
      errors: new Uint32Array(this.#buckets),
      latency: new Uint32Array(this.#buckets * LATENCY_BINS),
    };
    this.#ops.set(key, op);
    return op;
  }
}
