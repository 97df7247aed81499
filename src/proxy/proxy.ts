import { SwitchboardError } from '../errors.js';
import type { ConnectionInfo } from '../listener.js';
import type { Transport } from '../transport.js';
import { refuseSession } from './refuse-session.js';
import { Relay, type RelayOptions } from './relay.js';
import type { RestartPolicyOptions } from './restart-policy.js';
import { SharedBackend } from './shared-backend.js';
import { SupervisedBackend, type BackendEvent } from './supervised-backend.js';

/** How client sessions map to backends. */
export type SessionMode = 'per-session' | 'shared';

/** Something worth logging or counting. */
export type ProxyEvent =
  | { type: 'session-opened'; sessionId: string; info: ConnectionInfo; sessions: number }
  | { type: 'session-closed'; sessionId: string; sessions: number }
  | { type: 'session-refused'; reason: string }
  | { type: 'session-idle'; sessionId: string }
  | { type: 'backend'; sessionId: string | undefined; event: BackendEvent }
  | { type: 'error'; sessionId: string | undefined; side: 'frontend' | 'backend'; error: Error };

/** Options of {@link Proxy}. */
export interface ProxyOptions {
  /**
   * Creates a fresh, unstarted connection to the backend. Called once per session (per-session mode) or
   * once (shared mode), and again on every restart. `sessionId` tags logs (e.g. a child's stderr).
   */
  connectBackend: (sessionId: string | undefined) => Transport;
  /** `per-session` (default): own backend per client session. `shared`: one backend for all. */
  sessionMode?: SessionMode | undefined;
  /** Most concurrent sessions (default 1,000); beyond, new sessions are refused with an error. */
  maxSessions?: number | undefined;
  /** Close a session with nothing in flight after this long without traffic, in ms (0 = never; default 0). */
  idleTimeoutMs?: number | undefined;
  /** Backend restart delays and give-up rule. */
  restart?: RestartPolicyOptions | undefined;
  /** Request deadlines. */
  relay?: Pick<RelayOptions, 'requestTimeoutMs' | 'maxRequestTimeoutMs' | 'maxInflight'> | undefined;
  onEvent?: ((event: ProxyEvent) => void) | undefined;
  /**
   * Decorates each session's backend connection (the supervised backend, or the session's port of the
   * shared backend) before the relay uses it: the hook for middleware such as retry, circuit breaker,
   * bulkhead, tracing. Called once per session.
   */
  wrapBackend?: ((backend: Transport, sessionId: string) => Transport) | undefined;
}

let sessionCounter = 0;

/**
 * The proxy: hands each accepted client session (from any listener) a relay to a supervised backend,
 * per session or shared. Use {@link accept} as a listener's `onConnection`.
 *
 * @example
 * ```ts
 * const proxy = new Proxy({ connectBackend: () => new StdioClientTransport({ command: 'python', args: ['server.py'] }) });
 * await listen('tcp://127.0.0.1:7000', { onConnection: proxy.accept });
 * ```
 */
export class Proxy {
  readonly #options: ProxyOptions;
  readonly #relays = new Map<string, Relay>();
  readonly #shared: SharedBackend | undefined;
  readonly #sharedSupervisor: SupervisedBackend | undefined;
  #lastGaveUp = false;
  #closing = false;
  #idleSweep: NodeJS.Timeout | undefined;

  /** @param options - backend, session mode, bounds */
  constructor(options: ProxyOptions) {
    this.#options = options;
    if ((options.sessionMode ?? 'per-session') === 'shared') {
      this.#sharedSupervisor = this.#supervise(undefined);
      this.#shared = new SharedBackend(this.#sharedSupervisor, {
        onError: (error) =>
          options.onEvent?.({ type: 'error', sessionId: undefined, side: 'backend', error }),
      });
    }
    const idle = options.idleTimeoutMs ?? 0;
    if (idle > 0) {
      this.#idleSweep = setInterval(() => this.#closeIdle(idle), Math.max(10, Math.min(idle / 4, 30_000)));
      this.#idleSweep.unref();
    }
  }

  /** Open client sessions. */
  get sessionCount(): number {
    return this.#relays.size;
  }

  /** Requests in flight across all sessions. */
  get inflightCount(): number {
    let n = 0;
    for (const r of this.#relays.values()) n += r.inflightCount;
    return n;
  }

  /**
   * Ready for traffic: not shutting down, and the backend is not in the "gave up" state (shared mode:
   * the one backend; per-session mode: the most recently started session's backend).
   */
  get ready(): boolean {
    if (this.#closing) return false;
    if (this.#sharedSupervisor) return !this.#sharedSupervisor.failed;
    return !this.#lastGaveUp;
  }

  /** Accepts a client session: a listener's `onConnection`. */
  readonly accept = (frontend: Transport, info: ConnectionInfo = {}): void => {
    if (this.#closing || this.#relays.size >= (this.#options.maxSessions ?? 1000)) {
      this.#refuse(
        frontend,
        this.#closing ? 'shutting down' : `too many sessions (max ${this.#options.maxSessions ?? 1000})`,
      );
      return;
    }
    const sessionId = info.sessionId ?? `s${++sessionCounter}`;
    const raw = this.#shared ? this.#shared.openPort() : this.#supervise(sessionId);
    const backend = this.#options.wrapBackend ? this.#options.wrapBackend(raw, sessionId) : raw;
    const relay = new Relay(frontend, backend, {
      ...this.#options.relay,
      inflight: info.resumedRequests,
      onError: (error, side) => this.#options.onEvent?.({ type: 'error', sessionId, side, error }),
      onClose: () => {
        if (this.#relays.get(sessionId) === relay) this.#relays.delete(sessionId);
        this.#options.onEvent?.({ type: 'session-closed', sessionId, sessions: this.#relays.size });
      },
    });
    this.#relays.set(sessionId, relay);
    this.#options.onEvent?.({ type: 'session-opened', sessionId, info, sessions: this.#relays.size });
    relay.start().catch((error: unknown) => {
      this.#options.onEvent?.({
        type: 'error',
        sessionId,
        side: 'frontend',
        error: error instanceof Error ? error : new Error(String(error)),
      });
      void relay.close();
    });
  };

  /**
   * Shuts down: refuses new sessions, lets requests in flight finish for up to `graceMs`, then closes
   * every session (answering what is left with an error) and the backends. Idempotent.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#idleSweep);
    const grace = options.graceMs ?? 10_000;
    const relays = [...this.#relays.values()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(relays.map((r) => r.drained())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, grace))),
    ]);
    clearTimeout(timer);
    await Promise.allSettled(relays.map((r) => r.close()));
    await this.#shared?.close();
  }

  #supervise(sessionId: string | undefined): SupervisedBackend {
    return new SupervisedBackend({
      connect: () => this.#options.connectBackend(sessionId),
      restart: this.#options.restart,
      onEvent: (event) => {
        if (event.type === 'gave-up') this.#lastGaveUp = true;
        else if (event.type === 'started') this.#lastGaveUp = false;
        this.#options.onEvent?.({ type: 'backend', sessionId, event });
      },
    });
  }

  #refuse(frontend: Transport, reason: string): void {
    this.#options.onEvent?.({ type: 'session-refused', reason });
    refuseSession(frontend, new SwitchboardError('TOO_MANY_SESSIONS', `Session refused: ${reason}`));
  }

  #closeIdle(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [sessionId, relay] of this.#relays) {
      if (relay.inflightCount === 0 && relay.lastActivity < cutoff) {
        this.#options.onEvent?.({ type: 'session-idle', sessionId });
        void relay.close();
      }
    }
  }
}
