/**
 * A `Map` that holds at most `max` entries: setting one more forgets the oldest (insertion order).
 * For ownership records (task id → session, elicitation id → session) that must not grow without bound
 * when nobody ever says an entry is done.
 */
export class BoundedMap<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  /** @param max - most entries kept (at least 1) */
  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }
}
