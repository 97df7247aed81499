/** Options of {@link AbandonedCalls}. */
export interface AbandonedCallsOptions {
  /** How long an abandoned call is assumed to keep running at the server, in ms (default 60,000). */
  ttlMs?: number | undefined;
  /** Most abandoned calls remembered (default 10,000); the oldest are forgotten beyond. */
  max?: number | undefined;
}

interface Abandoned<K> {
  owner: K;
  until: number;
}

/**
 * Calls whose client stopped waiting (cancelled, timed out, session closed) but which the server may
 * still be working on — and may still send log messages or server→client requests for. While one is
 * remembered, its owner stays a candidate when the proxy decides who a message without an explicit
 * relation belongs to, so such a message is never handed to another client that happens to be the only
 * one with a call in flight.
 *
 * A call is forgotten when the server answers it anyway, after `ttlMs`, or (oldest first) beyond `max`;
 * a call forgotten early leaves the tracker {@link uncertain} until its time would have run out.
 */
export class AbandonedCalls<K> {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #calls = new Map<unknown, Abandoned<K>>();
  #uncertainUntil = 0;

  /** @param options - time to live and bound */
  constructor(options: AbandonedCallsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#max = options.max ?? 10_000;
  }

  /** Abandoned calls remembered now. */
  get size(): number {
    return this.#calls.size;
  }

  /** `true` while a call dropped by the bound may still be running: nobody can be sure of an owner. */
  uncertain(now = Date.now()): boolean {
    return now < this.#uncertainUntil;
  }

  /** Remembers the call `id` of `owner` as abandoned. */
  add(id: unknown, owner: K, now = Date.now()): void {
    this.#calls.delete(id);
    this.#calls.set(id, { owner, until: now + this.#ttlMs });
    if (this.#calls.size > this.#max) {
      const [oldestId, oldest] = this.#calls.entries().next().value as [unknown, Abandoned<K>];
      this.#calls.delete(oldestId);
      this.#uncertainUntil = Math.max(this.#uncertainUntil, oldest.until);
    }
  }

  /** The server answered the call after all: it no longer runs. */
  settle(id: unknown): void {
    this.#calls.delete(id);
  }

  /** The distinct owners of calls that may still run (expired ones are dropped on the way). */
  owners(now = Date.now()): Set<K> {
    const owners = new Set<K>();
    if (this.#calls.size === 0) return owners;
    for (const [id, call] of this.#calls) {
      if (call.until <= now) this.#calls.delete(id);
      else owners.add(call.owner);
    }
    return owners;
  }
}
