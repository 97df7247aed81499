import { createHistogram } from 'node:perf_hooks';

/**
 * A latency histogram: Node's built-in HdrHistogram (`perf_hooks.createHistogram`, 3 significant
 * figures), recording nanoseconds, summarised in milliseconds.
 */
export class LatencyHistogram {
  #h = createHistogram();

  /** @param {number} ms - one latency in milliseconds */
  record(ms) {
    this.#h.record(Math.max(1, Math.round(ms * 1e6)));
  }

  /** @param {LatencyHistogram} other - adds its values to this one */
  add(other) {
    this.#h.add(other.#h);
  }

  get count() {
    return this.#h.count;
  }

  /** Percentiles in ms (3 decimals), or null when empty. */
  summary() {
    if (this.#h.count === 0) return null;
    /** @param {number} ns */
    const ms = (ns) => Math.round(ns / 1e3) / 1e3;
    return {
      p50: ms(this.#h.percentile(50)),
      p95: ms(this.#h.percentile(95)),
      p99: ms(this.#h.percentile(99)),
      max: ms(this.#h.max),
      mean: ms(this.#h.mean),
    };
  }
}
