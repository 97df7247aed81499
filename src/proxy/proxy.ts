import { SwitchboardError } from '../errors.js';
import type { ConnectionInfo } from '../listener.js';
import type { Transport } from '../transport.js';
import { ClientLimits, type ClientKeys, type ClientLimitsOptions } from './client-limits.js';
import { refuseSession } from './refuse-session.js';
import { Relay, type RelayOptions } from './relay.js';
import type { RestartPolicyOptions } from './restart-policy.js';
import { SharedBackend, type SharedBackendOptions } from './shared-backend.js';
import { SupervisedBackend, type BackendEvent } from './supervised-backend.js';

/** How client sessions map to backends. */
export type SessionMode = 'per-session' | 'shared';

/** Something worth logging or counting. */
export type ProxyEvent =
  | { type: 'session-opened'; sessionId: string; info: ConnectionInfo; sessions: number }
  | { type: 'session-closed'; sessionId: string; sessions: number }
  | { type: 'session-refused'; reason: string; info?: ConnectionInfo | undefined }
  /** Closed by the proxy: `idle` (no traffic for the idle timeout) or `silent` (never sent a message). */
  | { type: 'session-idle'; sessionId: string; reason?: 'idle' | 'silent' | undefined }
  | { type: 'backend'; sessionId: string | undefined; event: BackendEvent }
  | { type: 'error'; sessionId: string | undefined; side: 'frontend' | 'backend'; error: Error };

/** Defaults of {@link ProxyOptions}. */
export const PROXY_DEFAULTS = {
  maxSessions: 1000,
  idleTimeoutMs: 30 * 60_000,
  firstMessageTimeoutMs: 30_000,
} as const;

/** Per-session overrides given to {@link Proxy.acceptWith}. */
export interface SessionOverrides {
  /** Idle timeout of these sessions, in ms (0 = never closed for idleness). */
  idleTimeoutMs?: number | undefined;
  /** First-message timeout of these sessions, in ms (0 = none). */
  firstMessageTimeoutMs?: number | undefined;
}

/** Options of {@link Proxy}. */
export interface ProxyOptions {
  /**
   * Creates a fresh, unstarted connection to the backend. Called once per session (per-session mode) or
   * once (shared mode), and again on every restart. `sessionId` tags logs (e.g. a child's stderr).
   */
  connectBackend?: ((sessionId: string | undefined) => Transport) | undefined;
  /**
   * Instead of `connectBackend`: the backend of each session is whatever this returns (unstarted), used
   * as is — no supervisor, no shared multiplexer (e.g. a gateway's router, which supervises its own
   * backends). `info` is what the listener (and the wrappers before {@link Proxy.accept}) said.
   */
  openSession?: ((sessionId: string, info: ConnectionInfo) => Transport) | undefined;
  /** `per-session` (default): own backend per client session. `shared`: one backend for all. */
  sessionMode?: SessionMode | undefined;
  /**
   * Most concurrent sessions with a backend (default 1,000): a session counts from its first message
   * (when its backend starts, per-session mode). Beyond, the session is refused with an error.
   */
  maxSessions?: number | undefined;
  /**
   * Most sessions that have not sent anything yet (default: `maxSessions`); beyond, the oldest of them is
   * closed to make room.
   */
  maxSilentSessions?: number | undefined;
  /**
   * Close a session with nothing in flight after this long without traffic, in ms (0 = never; default
   * 30 minutes). Its backend (per-session mode: its child) is stopped with it.
   */
  idleTimeoutMs?: number | undefined;
  /** Close a session that sent nothing this long after it opened, in ms (0 = never; default 30 s). */
  firstMessageTimeoutMs?: number | undefined;
  /** Per-principal and per-address caps (see {@link ClientLimitsOptions} for the defaults). */
  clientLimits?: ClientLimitsOptions | undefined;
  /** Backend restart delays and give-up rule. */
  restart?: RestartPolicyOptions | undefined;
  /** Request deadlines. */
  relay?: Pick<RelayOptions, 'requestTimeoutMs' | 'maxRequestTimeoutMs' | 'maxInflight'> | undefined;
  /** Shared mode: bounds of the multiplexer and how long abandoned calls are assumed to run. */
  shared?: Omit<SharedBackendOptions, 'onError' | 'onDropped'> | undefined;
  onEvent?: ((event: ProxyEvent) => void) | undefined;
  /** Shared mode: a backend message no session could be told apart for (counted, worth a debug log). */
  onDropped?: SharedBackendOptions['onDropped'];
  /**
   * Decorates each session's backend connection (the supervised backend, or the session's port of the
   * shared backend) before the relay uses it: the hook for middleware such as retry, circuit breaker,
   * bulkhead, tracing, the era bridge. Called once per session, with the session's connection facts.
   */
  wrapBackend?: ((backend: Transport, sessionId: string, info: ConnectionInfo) => Transport) | undefined;
}

interface Session {
  readonly relay: Relay;
  readonly keys: ClientKeys;
  readonly openedAt: number;
  readonly idleTimeoutMs: number;
  readonly firstMessageTimeoutMs: number;
  /** The session sent its first message (its backend started). */
  active: boolean;
}

let sessionCounter = 0;

/**
 * The proxy: hands each accepted client session (from any listener) a relay to a supervised backend,
 * per session or shared. Use {@link accept} as a listener's `onConnection`.
 *
 * Resource rules: a session's backend starts at its first message (a connection that never speaks
 * spawns nothing, and is closed after `firstMessageTimeoutMs`); idle sessions are closed after
 * `idleTimeoutMs`; `maxSessions` bounds sessions with a backend, and per-principal / per-address caps
 * keep one client from taking them all.
 *
 * @example
 * ```ts
 * const proxy = new Proxy({ connectBackend: () => new StdioClientTransport({ command: 'python', args: ['server.py'] }) });
 * await listen('tcp://127.0.0.1:7000', { onConnection: proxy.accept });
 * ```
 */
export class Proxy {
  readonly #options: ProxyOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #limits: ClientLimits;
  readonly #maxSessions: number;
  readonly #maxSilent: number;
  readonly #shared: SharedBackend | undefined;
  readonly #sharedSupervisor: SupervisedBackend | undefined;
  readonly #maxStartFailures: number;
  #active = 0;
  /** Backend starts that failed in a row, across sessions (reset by any successful start). */
  #startFailures = 0;
  #closing = false;
  #sweep: NodeJS.Timeout | undefined;

  /** @param options - backend, session mode, bounds */
  constructor(options: ProxyOptions) {
    this.#options = options;
    this.#limits = new ClientLimits(options.clientLimits);
    this.#maxSessions = options.maxSessions ?? PROXY_DEFAULTS.maxSessions;
    this.#maxSilent = options.maxSilentSessions ?? this.#maxSessions;
    this.#maxStartFailures = options.restart?.maxFastFailures ?? 5;
    if (options.openSession === undefined && (options.sessionMode ?? 'per-session') === 'shared') {
      this.#sharedSupervisor = this.#supervise(undefined);
      this.#shared = new SharedBackend(this.#sharedSupervisor, {
        ...options.shared,
        onError: (error) =>
          options.onEvent?.({ type: 'error', sessionId: undefined, side: 'backend', error }),
        onDropped: options.onDropped,
      });
    }
  }

  /** Open client sessions (silent ones included). */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Sessions that sent their first message (per-session mode: sessions with a running backend). */
  get activeSessionCount(): number {
    return this.#active;
  }

  /** Shared mode: backend messages no session could be told apart for (refused or dropped). */
  get droppedMessages(): number {
    return this.#shared?.droppedCount ?? 0;
  }

  /** Requests in flight across all sessions. */
  get inflightCount(): number {
    let n = 0;
    for (const s of this.#sessions.values()) n += s.relay.inflightCount;
    return n;
  }

  /**
   * Ready for traffic: not shutting down, and backends can be started — fewer than
   * `restart.maxFastFailures` backend starts failed in a row (any session's successful start resets the
   * count; a start counts as successful once the backend, re-initialized after a restart, is ready), and
   * in shared mode the one backend's supervisor has not given up.
   */
  get ready(): boolean {
    if (this.#closing) return false;
    if (this.#sharedSupervisor?.failed === true) return false;
    return this.#startFailures < this.#maxStartFailures;
  }

  /** Accepts a client session: a listener's `onConnection`. */
  readonly accept = (frontend: Transport, info: ConnectionInfo = {}): void => {
    this.#open(frontend, info, {});
  };

  /**
   * A listener's `onConnection` whose sessions get their own idle and first-message timeouts, e.g.
   * `acceptWith({ idleTimeoutMs: 0, firstMessageTimeoutMs: 0 })` for a stdio frontend, whose one
   * client owns the process.
   */
  acceptWith(overrides: SessionOverrides): (frontend: Transport, info?: ConnectionInfo) => void {
    return (frontend, info = {}) => this.#open(frontend, info, overrides);
  }

  /**
   * Shuts down: refuses new sessions, lets requests in flight finish for up to `graceMs`, then closes
   * every session (answering what is left with an error) and the backends. Idempotent.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#sweep);
    const grace = options.graceMs ?? 10_000;
    const relays = [...this.#sessions.values()].map((s) => s.relay);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(relays.map((r) => r.drained())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, grace))),
    ]);
    clearTimeout(timer);
    await Promise.allSettled(relays.map((r) => r.close()));
    await this.#shared?.close();
  }

  #open(frontend: Transport, info: ConnectionInfo, overrides: SessionOverrides): void {
    if (this.#closing) return this.#refuse(frontend, 'shutting down', info);
    // Silent sessions cost no backend; beyond the bound the oldest one makes room (a client that means it
    // speaks within milliseconds, so a flood of silent connections cannot keep newcomers out).
    if (this.#sessions.size - this.#active >= this.#maxSilent) this.#evictOldestSilent();
    const keys = this.#limits.keysOf(info);
    const refusal = this.#limits.openSession(keys);
    if (refusal !== undefined) return this.#refuse(frontend, refusal, info);
    const sessionId = info.sessionId ?? `s${++sessionCounter}`;
    const raw = this.#options.openSession
      ? this.#options.openSession(sessionId, info)
      : this.#shared
        ? this.#shared.openPort()
        : this.#supervise(sessionId);
    const backend = this.#options.wrapBackend ? this.#options.wrapBackend(raw, sessionId, info) : raw;
    const o = this.#options;
    const session: Session = {
      keys,
      openedAt: Date.now(),
      idleTimeoutMs: overrides.idleTimeoutMs ?? o.idleTimeoutMs ?? PROXY_DEFAULTS.idleTimeoutMs,
      firstMessageTimeoutMs:
        overrides.firstMessageTimeoutMs ?? o.firstMessageTimeoutMs ?? PROXY_DEFAULTS.firstMessageTimeoutMs,
      active: false,
      relay: new Relay(frontend, backend, {
        ...o.relay,
        lazyBackend: true,
        admitBackend: () => this.#admitBackend(sessionId, session),
        onError: (error, side) => o.onEvent?.({ type: 'error', sessionId, side, error }),
        onClose: () => this.#closed(sessionId, session),
      }),
    };
    this.#sessions.set(sessionId, session);
    this.#scheduleSweep(session);
    o.onEvent?.({ type: 'session-opened', sessionId, info, sessions: this.#sessions.size });
    session.relay.start().catch((error: unknown) => {
      o.onEvent?.({
        type: 'error',
        sessionId,
        side: 'frontend',
        error: error instanceof Error ? error : new Error(String(error)),
      });
      void session.relay.close();
    });
  }

  /** At a session's first message: may its backend start? */
  #admitBackend(sessionId: string, session: Session): SwitchboardError | undefined {
    if (this.#sessions.get(sessionId) !== session) return undefined;
    let reason: string | undefined;
    if (this.#closing) reason = 'shutting down';
    else if (this.#active >= this.#maxSessions) reason = `too many sessions (max ${this.#maxSessions})`;
    else if (this.#shared === undefined) reason = this.#limits.startBackend(session.keys);
    if (reason !== undefined) {
      this.#options.onEvent?.({ type: 'session-refused', reason });
      return new SwitchboardError('TOO_MANY_SESSIONS', `Session refused: ${reason}`);
    }
    session.active = true;
    this.#active++;
    return undefined;
  }

  #closed(sessionId: string, session: Session): void {
    if (this.#sessions.get(sessionId) !== session) return;
    this.#sessions.delete(sessionId);
    this.#limits.closeSession(session.keys);
    if (session.active) {
      this.#active--;
      if (this.#shared === undefined) this.#limits.stopBackend(session.keys);
    }
    this.#options.onEvent?.({ type: 'session-closed', sessionId, sessions: this.#sessions.size });
  }

  #supervise(sessionId: string | undefined): SupervisedBackend {
    return new SupervisedBackend({
      connect: () => {
        if (!this.#options.connectBackend)
          throw new SwitchboardError('INVALID_OPTIONS', 'Proxy needs connectBackend or openSession');
        return this.#options.connectBackend(sessionId);
      },
      restart: this.#options.restart,
      onEvent: (event) => {
        if (event.type === 'started') this.#startFailures = 0;
        else if (event.type === 'exited' && !event.wasReady) this.#startFailures++;
        this.#options.onEvent?.({ type: 'backend', sessionId, event });
      },
    });
  }

  #refuse(frontend: Transport, reason: string, info: ConnectionInfo): void {
    this.#options.onEvent?.({ type: 'session-refused', reason, info });
    refuseSession(frontend, new SwitchboardError('TOO_MANY_SESSIONS', `Session refused: ${reason}`));
  }

  /** One sweep timer for all sessions, as frequent as the shortest timeout in use needs. */
  #scheduleSweep(session: Session): void {
    const shortest = Math.min(
      session.idleTimeoutMs > 0 ? session.idleTimeoutMs : Infinity,
      session.firstMessageTimeoutMs > 0 ? session.firstMessageTimeoutMs : Infinity,
    );
    if (shortest === Infinity) return;
    const every = Math.max(10, Math.min(shortest / 4, 30_000));
    if (this.#sweep !== undefined && this.#sweepEvery <= every) return;
    clearInterval(this.#sweep);
    this.#sweepEvery = every;
    this.#sweep = setInterval(() => this.#closeExpired(), every);
    this.#sweep.unref();
  }

  #sweepEvery = Infinity;

  #evictOldestSilent(): void {
    for (const [sessionId, s] of this.#sessions) {
      if (s.active || s.relay.backendStarted) continue;
      this.#options.onEvent?.({ type: 'session-idle', sessionId, reason: 'silent' });
      // Forget it now (its close completes later) so the count is right for the newcomer.
      this.#closed(sessionId, s);
      void s.relay.close();
      return;
    }
  }

  #closeExpired(): void {
    const now = Date.now();
    for (const [sessionId, s] of this.#sessions) {
      const relay = s.relay;
      if (!s.active && !relay.backendStarted) {
        if (s.firstMessageTimeoutMs > 0 && now - s.openedAt >= s.firstMessageTimeoutMs) {
          this.#options.onEvent?.({ type: 'session-idle', sessionId, reason: 'silent' });
          void relay.close();
        }
      } else if (
        s.idleTimeoutMs > 0 &&
        relay.inflightCount === 0 &&
        now - relay.lastActivity >= s.idleTimeoutMs
      ) {
        this.#options.onEvent?.({ type: 'session-idle', sessionId, reason: 'idle' });
        void relay.close();
      }
    }
  }
}
