/** Keys whose values never reach a log, wherever they sit in a payload. */
const SECRET_KEY =
  /pass(word|phrase)?|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|private[-_]?key|session[-_]?id/i;

/** Bounds of {@link redactPayload}. */
export interface RedactLimits {
  /** Deepest nesting kept (default 6). */
  maxDepth?: number | undefined;
  /** Longest string kept, in characters (default 200). */
  maxString?: number | undefined;
  /** Most array items / object keys kept per level (default 20). */
  maxItems?: number | undefined;
}

/**
 * A log-safe copy of a message payload: values under secret-looking keys (`password`, `token`,
 * `apiKey`, `authorization`, …) become `[redacted]`, long strings are cut, and depth and breadth are
 * bounded, so debug logs never carry credentials nor megabytes.
 *
 * @param value - any JSON value
 * @example
 * ```ts
 * redactPayload({ arguments: { query: 'x', apiKey: 'sk-1' } }); // { arguments: { query: 'x', apiKey: '[redacted]' } }
 * ```
 */
export function redactPayload(value: unknown, limits: RedactLimits = {}): unknown {
  const maxDepth = limits.maxDepth ?? 6;
  const maxString = limits.maxString ?? 200;
  const maxItems = limits.maxItems ?? 20;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string')
      return v.length > maxString ? `${v.slice(0, maxString)}…(${v.length} chars)` : v;
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= maxDepth) return Array.isArray(v) ? `[array(${v.length})]` : '[object]';
    if (Array.isArray(v)) {
      const items = v.slice(0, maxItems).map((item) => walk(item, depth + 1));
      if (v.length > maxItems) items.push(`…(${v.length - maxItems} more)`);
      return items;
    }
    const out: Record<string, unknown> = {};
    const keys = Object.keys(v);
    for (const key of keys.slice(0, maxItems)) {
      out[key] = SECRET_KEY.test(key) ? '[redacted]' : walk((v as Record<string, unknown>)[key], depth + 1);
    }
    if (keys.length > maxItems) out['…'] = `${keys.length - maxItems} more keys`;
    return out;
  };
  return walk(value, 0);
}
