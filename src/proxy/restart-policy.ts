import type { IBackoff } from 'cockatiel';
import { loadCockatiel } from '../lazy-modules.js';

/** When and how often a backend is restarted after it died. */
export interface RestartPolicyOptions {
  /** First delay before a restart, in ms (default 100). */
  initialDelayMs?: number | undefined;
  /** Longest delay between restarts, in ms (default 10,000). */
  maxDelayMs?: number | undefined;
  /** Give up after this many fast failures in a row (default 5). */
  maxFastFailures?: number | undefined;
  /** A backend that ran at least this long before dying resets the count, in ms (default 10,000). */
  fastFailureMs?: number | undefined;
}

/**
 * Exponential backoff with decorrelated jitter (cockatiel) plus a give-up rule: N failures in a row
 * that each happened within `fastFailureMs` of their start mean the backend cannot run; a backend that
 * stayed up longer starts the count and the backoff over.
 */
export class RestartPolicy {
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxFastFailures: number;
  readonly #fastFailureMs: number;
  #backoff: IBackoff<unknown> | undefined;
  #fastFailures = 0;

  /** @param options - delays and give-up rule */
  constructor(options: RestartPolicyOptions = {}) {
    this.#initialDelayMs = options.initialDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 10_000;
    this.#maxFastFailures = options.maxFastFailures ?? 5;
    this.#fastFailureMs = options.fastFailureMs ?? 10_000;
  }

  /** Consecutive fast failures so far. */
  get fastFailures(): number {
    return this.#fastFailures;
  }

  /**
   * Records a failure of a backend that ran for `uptimeMs` (0 when it never started).
   *
   * @returns the delay before the next attempt, or `undefined` to give up
   */
  failed(uptimeMs: number): number | undefined {
    if (uptimeMs >= this.#fastFailureMs) {
      this.#fastFailures = 0;
      this.#backoff = undefined;
    }
    this.#fastFailures++;
    if (this.#fastFailures >= this.#maxFastFailures) return undefined;
    // cockatiel is loaded at the first restart, not when every backend's supervisor is created.
    this.#backoff = this.#backoff ? this.#backoff.next(undefined) : this.#firstBackoff();
    return this.#backoff.duration;
  }

  #firstBackoff(): IBackoff<unknown> {
    const { ExponentialBackoff } = loadCockatiel();
    return new ExponentialBackoff({ initialDelay: this.#initialDelayMs, maxDelay: this.#maxDelayMs }).next();
  }
}
