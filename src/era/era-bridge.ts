import type { ConnectionInfo } from '../listener.js';
import { SharedBackend } from '../proxy/shared-backend.js';
import { SupervisedBackend } from '../proxy/supervised-backend.js';
import type { AuthInfo, Transport } from '../transport.js';
import {
  BackendEraDetector,
  probeBackendEra,
  type BackendEra,
  type BackendEraSetting,
} from './backend-era.js';
import { EraSwitch } from './era-switch.js';
import { LegacyFacingStage } from './legacy-facing-stage.js';
import { ModernBridge } from './modern-bridge.js';
import { ModernFacingStage } from './modern-facing-stage.js';
import { RequestStateSealer } from './request-state.js';

/** Something worth logging. */
export type EraBridgeEvent =
  { type: 'backend-era'; era: BackendEra; probed: boolean } | { type: 'probe-failed'; error: Error };

/** Options of {@link EraBridge}. */
export interface EraBridgeOptions {
  /**
   * A fresh, unstarted connection to the backend (the proxy's `connectBackend` before the bridge wraps
   * it); `sessionId` as the proxy passes it (`undefined`: shared).
   */
  connect: (sessionId: string | undefined) => Transport;
  /** `auto` (default: probe once), `2025` or `2026`. */
  backendEra?: BackendEraSetting | undefined;
  /** `per-session` (default): a 2026 client's 2025 sessions belong to its client session. `shared`: to its principal. */
  sessionMode?: 'per-session' | 'shared' | undefined;
  /** HMAC key of `requestState` (≥ 32 bytes); default: random per process. */
  stateKey?: Buffer | undefined;
  /** Lifetime of a sealed `requestState`, in ms (default 600,000). */
  stateTtlMs?: number | undefined;
  /** How long a parked call waits for the client's retry, in ms (default 60,000). */
  inputTimeoutMs?: number | undefined;
  /** How long the era probe waits for each answer, in ms (default 10,000). */
  probeTimeoutMs?: number | undefined;
  /** Most 2025 sessions per caller (concurrent calls of one 2026 client), default 8. */
  maxSessionsPerCaller?: number | undefined;
  /** Most proxy-owned 2025 sessions in total, default 256. */
  maxSessions?: number | undefined;
  onEvent?: ((event: EraBridgeEvent) => void) | undefined;
}

/** The connection facts the bridge reads (HTTP listeners add `era` and `authInfo`). */
type SessionFacts = ConnectionInfo & { era?: string | undefined; authInfo?: AuthInfo | undefined };

/**
 * The era bridge of one backend: every 2025-era and 2026-07-28 client against a backend of either era.
 *
 * - The backend's era is found once ({@link BackendEraDetector}); a backend that speaks the client's era
 *   (every dual-era backend) is relayed frame by frame with no translation.
 * - {@link wrapConnect}: each backend connection gets a {@link LegacyFacingStage}, which engages only for
 *   a 2026-07-28-only backend and then presents it as a 2025 server (2025 clients; shared mode too).
 * - {@link wrapSession}: each client session that may be a 2026-07-28 client of a 2025-only backend gets
 *   an {@link EraSwitch}, which hands such a session to a {@link ModernFacingStage} on proxy-owned 2025
 *   sessions ({@link ModernBridge}).
 *
 * @example
 * ```ts
 * const era = new EraBridge({ connect, backendEra: 'auto' });
 * const proxy = new Proxy({ connectBackend: era.wrapConnect(connect), wrapBackend: era.wrapSession });
 * ```
 */
export class EraBridge {
  readonly detector: BackendEraDetector;
  readonly #options: EraBridgeOptions;
  readonly #sealer: RequestStateSealer;
  #modern: ModernBridge | undefined;
  #modernShared: SharedBackend | undefined;
  #closed = false;

  /** @param options - backend connection, era setting, MRTR state key and bounds */
  constructor(options: EraBridgeOptions) {
    this.#options = options;
    this.#sealer = new RequestStateSealer({ key: options.stateKey, ttlMs: options.stateTtlMs });
    const setting = options.backendEra ?? 'auto';
    this.detector = new BackendEraDetector(setting, async () => {
      try {
        const era = await probeBackendEra(() => options.connect(undefined), {
          timeoutMs: options.probeTimeoutMs,
        });
        options.onEvent?.({ type: 'backend-era', era, probed: true });
        return era;
      } catch (error) {
        options.onEvent?.({ type: 'probe-failed', error: error as Error });
        throw error;
      }
    });
    const known = this.detector.known;
    if (known !== undefined) options.onEvent?.({ type: 'backend-era', era: known, probed: false });
  }

  /** The sealer of MRTR `requestState` (exposed for tests and embedding). */
  get sealer(): RequestStateSealer {
    return this.#sealer;
  }

  /** Starts the era probe in the background (`auto`), so the first session rarely waits for it. */
  prepare(): void {
    this.detector.era().catch(() => undefined);
  }

  /** Wraps a `connectBackend`: each connection presents a 2026-07-28-only backend as a 2025 server. */
  wrapConnect(
    connect: (sessionId: string | undefined) => Transport,
  ): (sessionId: string | undefined) => Transport {
    return (sessionId) => {
      const known = this.detector.known;
      const inner = connect(sessionId);
      if (known === 'legacy' || known === 'dual') return inner;
      return new LegacyFacingStage(inner, { backendEra: () => this.detector.era() });
    };
  }

  /**
   * The proxy's `wrapBackend` hook (apply it innermost): sessions that could be 2026-07-28 clients of a
   * 2025-only backend get an {@link EraSwitch}; every other session keeps its backend connection as is.
   */
  readonly wrapSession = (backend: Transport, sessionId: string, info: ConnectionInfo = {}): Transport => {
    const facts = info as SessionFacts;
    const known = this.detector.known;
    const perSession = (this.#options.sessionMode ?? 'per-session') === 'per-session';
    if (known === 'modern' || (known === 'dual' && perSession)) return backend;
    if (facts.era === 'session' || facts.era === 'legacy-sse') return backend;
    return new EraSwitch(backend, {
      bridgeFor: async () => {
        const era = await this.detector.era();
        if (this.#closed) return undefined;
        // A dual-era backend connection may be pinned to the era of its first client (stdio servers
        // are): in shared mode 2026-07-28 clients share a connection of their own.
        if (era === 'dual' && !perSession) return this.#modernSharedPort();
        if (era !== 'legacy') return undefined;
        return new ModernFacingStage(this.#bridge(), {
          scope: perSession ? sessionId : '*',
          ownsScope: perSession,
          sessionAuth: facts.authInfo,
          // Unauthenticated socket clients are told apart by their connection; stateless HTTP clients
          // cannot be told apart without authentication.
          fallbackPrincipal: facts.era === 'stateless' ? 'anonymous' : `session:${sessionId}`,
        });
      },
    });
  };

  /** Closes the proxy-owned sessions. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([this.#modern?.close(), this.#modernShared?.close()]);
  }

  #modernSharedPort(): Transport {
    this.#modernShared ??= new SharedBackend(
      new SupervisedBackend({ connect: () => this.#options.connect(undefined) }),
    );
    return this.#modernShared.openPort();
  }

  #bridge(): ModernBridge {
    this.#modern ??= new ModernBridge({
      connect: (scope) => this.#options.connect(scope === '*' ? undefined : scope),
      sealer: this.#sealer,
      inputTimeoutMs: this.#options.inputTimeoutMs,
      maxPerKey: this.#options.maxSessionsPerCaller,
      maxTotal: this.#options.maxSessions,
    });
    return this.#modern;
  }
}
