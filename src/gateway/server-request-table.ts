import type { RequestId } from '../protocol/messages.js';

interface Entry<L> {
  leg: L;
  backendId: RequestId;
  progressToken: string | number | undefined;
}

/**
 * Server→client requests of one client session, whichever server sent them: each gets an id of the
 * session's own (two servers may both send id `0`), and the client's answer, a cancellation or a
 * progress report for it finds its way back to the server that asked. Bounded.
 */
export class ServerRequestTable<L> {
  readonly #max: number;
  readonly #byLocal = new Map<string, Entry<L>>();
  readonly #byLeg = new Map<L, Map<RequestId, string>>();
  readonly #byToken = new Map<string | number, L>();
  #next = 0;

  /** @param max - most requests waiting for the client's answer (default 10,000) */
  constructor(max = 10_000) {
    this.#max = max;
  }

  /** Requests waiting for the client. */
  get size(): number {
    return this.#byLocal.size;
  }

  /**
   * Records a request from `leg` and returns the id the client sees, or `undefined` when full.
   *
   * @param progressToken - the request's `_meta.progressToken`, if any (the client's progress reports
   *   for it go back to `leg`)
   */
  add(leg: L, backendId: RequestId, progressToken: string | number | undefined): string | undefined {
    if (this.#byLocal.size >= this.#max) return undefined;
    const local = `switchboard-gw-${++this.#next}`;
    this.#byLocal.set(local, { leg, backendId, progressToken });
    let ids = this.#byLeg.get(leg);
    if (!ids) this.#byLeg.set(leg, (ids = new Map<RequestId, string>()));
    ids.set(backendId, local);
    if (progressToken !== undefined) this.#byToken.set(progressToken, leg);
    return local;
  }

  /** The client answered `local`: where the answer goes (and the entry is gone). */
  take(local: RequestId): { leg: L; backendId: RequestId } | undefined {
    if (typeof local !== 'string') return undefined;
    const entry = this.#byLocal.get(local);
    if (entry === undefined) return undefined;
    this.#remove(local, entry);
    return entry;
  }

  /** The server cancelled its request `backendId`: the id the client knows it by (entry gone). */
  cancel(leg: L, backendId: RequestId): string | undefined {
    const local = this.#byLeg.get(leg)?.get(backendId);
    const entry = local === undefined ? undefined : this.#byLocal.get(local);
    if (local === undefined || entry === undefined) return undefined;
    this.#remove(local, entry);
    return local;
  }

  /** The leg a client progress report (for a server→client request) belongs to. */
  legOfToken(token: string | number): L | undefined {
    return this.#byToken.get(token);
  }

  /** Forgets every request of a leg that ended. */
  dropLeg(leg: L): void {
    const ids = this.#byLeg.get(leg);
    if (!ids) return;
    for (const local of ids.values()) {
      const entry = this.#byLocal.get(local);
      if (entry) this.#remove(local, entry);
    }
    this.#byLeg.delete(leg);
  }

  #remove(local: string, entry: Entry<L>): void {
    this.#byLocal.delete(local);
    const ids = this.#byLeg.get(entry.leg);
    ids?.delete(entry.backendId);
    if (ids?.size === 0) this.#byLeg.delete(entry.leg);
    if (entry.progressToken !== undefined && this.#byToken.get(entry.progressToken) === entry.leg) {
      this.#byToken.delete(entry.progressToken);
    }
  }
}
