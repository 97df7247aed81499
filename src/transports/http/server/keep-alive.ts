/** Something that wants a periodic tick (an SSE stream writing keep-alive comments). */
export interface KeepAliveMember {
  keepAliveTick(): void;
}

/**
 * One timer per listener for every open SSE stream, instead of one timer per stream. The timer runs only
 * while members exist and never keeps the process alive.
 */
export class KeepAliveTicker {
  readonly #intervalMs: number;
  readonly #members = new Set<KeepAliveMember>();
  #timer: NodeJS.Timeout | undefined;

  /** @param intervalMs - tick interval; 0 disables ticking */
  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  add(member: KeepAliveMember): void {
    if (this.#intervalMs <= 0) return;
    this.#members.add(member);
    if (this.#timer === undefined) {
      this.#timer = setInterval(this.#tick, this.#intervalMs);
      this.#timer.unref();
    }
  }

  delete(member: KeepAliveMember): void {
    this.#members.delete(member);
    if (this.#members.size === 0) this.close();
  }

  /** Stops the timer (members added later restart it). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    for (const m of this.#members) m.keepAliveTick();
  };
}
