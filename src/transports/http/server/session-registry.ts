/** What the registry needs of a session (2025-era Streamable HTTP or legacy HTTP+SSE). */
export interface RegisteredSession {
  readonly sessionId: string;
  /** The authenticated `clientId` the session is bound to, if any. */
  readonly owner: string | undefined;
  /** When the session became idle, or `undefined` while it is busy. */
  idleSince(): number | undefined;
  close(): Promise<void>;
}

/**
 * The live sessions of one listener, with idle expiry: a session that stayed idle longer than
 * `idleTimeoutMs` is closed (its transport fires `onclose`; later requests with its id get 404).
 */
export class SessionRegistry<S extends RegisteredSession> {
  readonly #sessions = new Map<string, S>();
  readonly #idleTimeoutMs: number;
  #sweeper: NodeJS.Timeout | undefined;

  /** @param idleTimeoutMs - idle expiry; 0 or Infinity disables it */
  constructor(idleTimeoutMs: number) {
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(sessionId: string): S | undefined {
    return this.#sessions.get(sessionId);
  }

  add(session: S): void {
    this.#sessions.set(session.sessionId, session);
    if (this.#sweeper === undefined && this.#idleTimeoutMs > 0 && Number.isFinite(this.#idleTimeoutMs)) {
      const every = Math.max(50, Math.min(this.#idleTimeoutMs / 2, 60_000));
      this.#sweeper = setInterval(this.#sweep, every);
      this.#sweeper.unref();
    }
  }

  /** Forgets a session (called from its `onEnded`); stops the sweeper when none are left. */
  delete(session: S): void {
    if (this.#sessions.get(session.sessionId) === session) this.#sessions.delete(session.sessionId);
    if (this.#sessions.size === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  /** Closes every session (listener shutdown). */
  async closeAll(): Promise<void> {
    const all = [...this.#sessions.values()];
    await Promise.allSettled(all.map((s) => s.close()));
  }

  readonly #sweep = (): void => {
    const now = Date.now();
    for (const s of [...this.#sessions.values()]) {
      const since = s.idleSince();
      if (since !== undefined && now - since > this.#idleTimeoutMs) void s.close();
    }
  };
}
