/**
 * A token bucket: holds up to `burst` tokens, refills at `ratePerSecond`, and each admitted request
 * takes one. Time is passed in (ms), so the bucket has no timers and tests need no fake clocks.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(5, 10, Date.now()); // 5/s sustained, bursts of 10
 * const waitMs = bucket.take(Date.now());              // 0 = admitted
 * ```
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  /**
   * @param ratePerSecond - refill rate (> 0)
   * @param burst - capacity (≥ 1); the bucket starts full
   * @param now - current time in ms
   */
  constructor(ratePerSecond: number, burst: number, now: number) {
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
    this.#updatedAt = now;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
  }

  /**
   * Takes one token if there is one.
   *
   * @returns 0 when admitted, otherwise the ms until a token will be there (nothing is taken)
   */
  take(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#ratePerMs);
  }
}
