// JSON with object keys in code-point order at every level, so that equal values always give equal
// text (and equal hashes), whatever order a server happened to send the keys in.

/**
 * Serialises a JSON value with sorted object keys.
 *
 * @param value - a JSON value (`undefined` members are dropped, as `JSON.stringify` does)
 * @param indent - spaces per level (default 0: one line)
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown, indent = 0): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareCodePoints)) {
    // defineProperty: a key named `__proto__` stays a plain member instead of changing the prototype.
    Object.defineProperty(sorted, key, {
      value: sortKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return sorted;
}

/**
 * Compares strings by code point (not UTF-16 unit, not locale): the order used for every sorted
 * list in generated output.
 *
 * @param a - first string
 * @param b - second string
 */
export function compareCodePoints(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]?.codePointAt(0) ?? 0;
    const y = cb[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}
