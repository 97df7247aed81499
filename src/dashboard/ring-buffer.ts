/**
 * A fixed-capacity FIFO that overwrites its oldest item when full: the memory of every live view is
 * bounded by construction.
 *
 * @example
 * ```ts
 * const ring = new RingBuffer<number>(3);
 * [1, 2, 3, 4].forEach((n) => ring.push(n));
 * ring.toArray(); // [2, 3, 4]
 * ```
 */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  /** @param capacity - most items kept (at least 1) */
  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(Math.max(1, Math.floor(capacity)));
  }

  get size(): number {
    return this.#size;
  }

  /** Adds an item; the oldest one goes when the ring is full. */
  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.#items.length;
    if (this.#size < this.#items.length) this.#size++;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const n = this.#items.length;
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#next - this.#size + i + n) % n] as T);
    return out;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
