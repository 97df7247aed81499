import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration: a number of seconds (`60`, `0.5`) or a number with a unit (`250ms`, `30s`, `10m`,
 * `1h`). Returns milliseconds.
 *
 * @throws Error naming the accepted forms
 * @example
 * ```ts
 * parseDuration('2m'); // 120000
 * parseDuration(30); // 30000
 * ```
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`invalid duration ${value}`);
    return Math.round(value * 1000);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m?.[1]) throw new Error(`invalid duration "${value}" (use e.g. 250ms, 30s, 10m, 1h, or seconds)`);
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000));
}

/** A zod schema for a duration, producing milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
