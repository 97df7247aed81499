/** Upper bound of the first latency bin, ms. */
const FIRST_BOUND_MS = 0.1;
/** Each bin's bound is this factor times the previous one (±25 % precision on percentiles). */
const GROWTH = 1.5;
/** Bins: 0.1 ms · 1.5^39 ≈ 740 s; slower calls land in the last bin. */
export const LATENCY_BINS = 40;

const BOUNDS: readonly number[] = Array.from(
  { length: LATENCY_BINS },
  (_, i) => FIRST_BOUND_MS * GROWTH ** i,
);
const LOG_GROWTH = Math.log(GROWTH);

/** The bin of a latency in ms (log scale, O(1)). */
export function latencyBin(ms: number): number {
  if (!(ms > FIRST_BOUND_MS)) return 0;
  const i = Math.ceil(Math.log(ms / FIRST_BOUND_MS) / LOG_GROWTH - 1e-9);
  return Math.min(LATENCY_BINS - 1, i);
}

/**
 * The `q` quantile (0…1) of the latencies counted in `counts[offset … offset + LATENCY_BINS)`, as the
 * upper bound of the bin it falls in; `null` when nothing was counted.
 */
export function latencyQuantile(counts: Uint32Array, offset: number, q: number): number | null {
  let total = 0;
  for (let i = 0; i < LATENCY_BINS; i++) total += counts[offset + i] as number;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < LATENCY_BINS; i++) {
    seen += counts[offset + i] as number;
    if (seen >= rank) return BOUNDS[i] as number;
  }
  return BOUNDS[LATENCY_BINS - 1] as number;
}
