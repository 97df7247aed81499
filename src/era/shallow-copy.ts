/**
 * A shallow copy of an object with one member set, for the per-message translations of the era bridge.
 *
 * Why not `{ ...source, key: value }`: on Node 20 an object spread followed by a member the source lacks
 * takes V8's slow path — about a microsecond per copy, and an object that is slower to serialise
 * afterwards. `Object.assign` onto a fresh literal, then the member, costs tens of nanoseconds.
 *
 * @param source - the object copied (a parsed message's `params` or `result`)
 * @param key - the member to set (a constant of the caller, never `__proto__`)
 * @param value - its value (replaces the source's own, if any)
 * @returns a new object; `source` is left as it was
 * @example
 * ```ts
 * const params = copyWith(message.params ?? {}, '_meta', envelope);
 * ```
 */
export function copyWith<T extends object>(
  source: T,
  key: string,
  value: unknown,
): T & Record<string, unknown> {
  // `Object.assign` would call the `__proto__` setter for an own `__proto__` member (JSON.parse makes
  // one from `"__proto__": …`): such a rare object takes the spread, which keeps it a plain member.
  if (Object.hasOwn(source, '__proto__')) return { ...source, [key]: value };
  const out = Object.assign({}, source) as Record<string, unknown>;
  out[key] = value;
  return out as T & Record<string, unknown>;
}

/**
 * A shallow copy of an object without some members, built member by member (not `delete` on a copy,
 * which leaves a slow dictionary-mode object behind). Member order is kept.
 *
 * @param source - the object copied
 * @param omit - the members left out
 * @returns a new object; `source` is left as it was
 * @example
 * ```ts
 * const legacy = copyWithout(result, new Set(['resultType', 'ttlMs', 'cacheScope']));
 * ```
 */
export function copyWithout(source: object, omit: ReadonlySet<string>): Record<string, unknown> {
  const from = source as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    if (omit.has(key)) continue;
    // An own `__proto__` member (JSON.parse makes one) must stay a member, not become the prototype.
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: from[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = from[key];
  }
  return out;
}
