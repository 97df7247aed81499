import { SwitchboardError } from '../errors.js';
import type { Transport } from '../transport.js';
import { LegacySession, type LegacySessionEvents, type SessionIdentity } from './legacy-session.js';

/** Options of {@link LegacySessionPool}. */
export interface LegacySessionPoolOptions {
  /** A fresh, unstarted connection to the 2025-era backend, for a pool scope (the text before the first NUL of a key). */
  connect: (scope: string) => Transport;
  /** Most sessions per key, i.e. concurrent calls of one caller (default 8). */
  maxPerKey?: number | undefined;
  /** Most sessions in total (default 256). */
  maxTotal?: number | undefined;
  /** Most calls waiting for a free session, in total (default 10,000). */
  maxWaiting?: number | undefined;
  /** Close a session without traffic or call for this long, in ms (default 300,000; 0 = never). */
  idleMs?: number | undefined;
}

interface Waiter {
  key: string;
  identity: SessionIdentity;
  owner: object;
  resolve: (session: LegacySession) => void;
  reject: (error: Error) => void;
}

/**
 * The proxy-owned 2025-era sessions that serve 2026-07-28 clients, pooled per key (scope, principal and
 * client capabilities). A caller's requests go to its *primary* session (the oldest live one), so
 * consecutive requests see the session state a 2025 server keeps (subscriptions, toggles, roots);
 * further sessions are opened only for concurrent calls, up to `maxPerKey`, then calls wait. A lost
 * session is dropped and the next request opens (and initializes) a new one.
 */
export class LegacySessionPool {
  readonly #options: LegacySessionPoolOptions;
  readonly #events: LegacySessionEvents;
  readonly #byKey = new Map<string, LegacySession[]>();
  readonly #waiting: Waiter[] = [];
  #total = 0;
  #sweep: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * @param options - how to connect, bounds
   * @param events - what sessions report (server requests, notifications); `closed` is observed here first
   */
  constructor(options: LegacySessionPoolOptions, events: LegacySessionEvents) {
    this.#options = options;
    this.#events = {
      serverRequest: (s, r) => events.serverRequest(s, r),
      notification: (s, n) => events.notification(s, n),
      closed: (s) => {
        this.#remove(s);
        events.closed(s);
      },
    };
    const idle = options.idleMs ?? 300_000;
    if (idle > 0) {
      this.#sweep = setInterval(() => this.#closeIdle(idle), Math.max(1000, Math.min(idle / 4, 60_000)));
      this.#sweep.unref();
    }
  }

  /** Live sessions in total. */
  get size(): number {
    return this.#total;
  }

  /** The sessions of a key (oldest first). */
  sessions(key: string): readonly LegacySession[] {
    return this.#byKey.get(key) ?? [];
  }

  /** The key's primary session, opened and initialized if there is none. */
  async primary(key: string, identity: SessionIdentity): Promise<LegacySession> {
    const session = this.#byKey.get(key)?.[0] ?? this.#open(key);
    await session.ready(identity);
    return session;
  }

  /**
   * A session whose call slot is free, taken for `owner` (primary first, then the others, then a new
   * one within the bounds; otherwise the call waits for {@link release}).
   *
   * @throws SwitchboardError `BACKEND_UNAVAILABLE` when too many calls already wait, or the pool closed
   */
  async acquire(key: string, identity: SessionIdentity, owner: object): Promise<LegacySession> {
    const session = await new Promise<LegacySession>((resolve, reject) => {
      const free = this.#free(key);
      if (free !== undefined) {
        free.callSlot = owner;
        resolve(free);
        return;
      }
      if (this.#closed || this.#waiting.length >= (this.#options.maxWaiting ?? 10_000)) {
        reject(
          new SwitchboardError('BACKEND_UNAVAILABLE', 'Too many calls are waiting for a backend session'),
        );
        return;
      }
      this.#waiting.push({ key, identity, owner, resolve, reject });
    });
    try {
      await session.ready(identity);
    } catch (error) {
      this.release(session);
      throw error;
    }
    return session;
  }

  /** Frees a session's call slot and hands it to the next waiting call of the same key. */
  release(session: LegacySession): void {
    session.callSlot = undefined;
    session.lastUsed = Date.now();
    this.#wake(session.key);
  }

  /** Closes every session of keys starting with `prefix` (a client session ended, per-session mode). */
  closeScope(prefix: string): void {
    for (const [key, sessions] of this.#byKey) {
      if (!key.startsWith(prefix)) continue;
      for (const s of [...sessions]) void s.close();
    }
  }

  /** Closes every session and refuses waiting calls. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const w of this.#waiting.splice(0)) {
      w.reject(new SwitchboardError('TRANSPORT_CLOSED', 'The proxy is shutting down'));
    }
    const all = [...this.#byKey.values()].flat();
    await Promise.allSettled(all.map((s) => s.close()));
  }

  #free(key: string): LegacySession | undefined {
    const sessions = this.#byKey.get(key) ?? [];
    const free = sessions.find((s) => s.callSlot === undefined && !s.closed);
    if (free !== undefined) return free;
    const maxPerKey = this.#options.maxPerKey ?? 8;
    if (this.#closed || sessions.length >= maxPerKey || this.#total >= (this.#options.maxTotal ?? 256)) {
      return undefined;
    }
    return this.#open(key);
  }

  #open(key: string): LegacySession {
    if (this.#closed) throw new SwitchboardError('TRANSPORT_CLOSED', 'The proxy is shutting down');
    const scope = key.slice(0, Math.max(0, key.indexOf('\u0000')));
    const session = new LegacySession(key, this.#options.connect(scope), this.#events);
    let list = this.#byKey.get(key);
    if (list === undefined) this.#byKey.set(key, (list = []));
    list.push(session);
    this.#total++;
    return session;
  }

  #remove(session: LegacySession): void {
    const list = this.#byKey.get(session.key);
    const i = list?.indexOf(session) ?? -1;
    if (list === undefined || i < 0) return;
    list.splice(i, 1);
    this.#total--;
    if (list.length === 0) this.#byKey.delete(session.key);
    // A lost session may leave room for a waiting call (of any key, when the total bound was the limit).
    this.#wake(session.key);
    if (this.#waiting.length > 0) this.#wake(this.#waiting[0]?.key ?? session.key);
  }

  #wake(key: string): void {
    const i = this.#waiting.findIndex((w) => w.key === key);
    if (i < 0) return;
    const waiter = this.#waiting[i] as Waiter;
    const free = this.#free(key);
    if (free === undefined) return;
    this.#waiting.splice(i, 1);
    free.callSlot = waiter.owner;
    waiter.resolve(free);
  }

  #closeIdle(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const sessions of this.#byKey.values()) {
      for (const s of [...sessions]) {
        if (s.callSlot === undefined && s.listeners === 0 && s.inflight === 0 && s.lastUsed < cutoff)
          void s.close();
      }
    }
  }
}
