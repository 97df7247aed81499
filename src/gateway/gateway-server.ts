import { toSwitchboardError, type SwitchboardError } from '../errors.js';
import type { SessionMode } from '../proxy/proxy.js';
import type { RestartPolicyOptions } from '../proxy/restart-policy.js';
import { SharedBackend } from '../proxy/shared-backend.js';
import { SupervisedBackend, type BackendEvent } from '../proxy/supervised-backend.js';
import type { Transport } from '../transport.js';
import type { Catalog } from './catalog.js';
import { CatalogSession } from './catalog-session.js';
import type { ServerFilters } from './name-filter.js';

/** How the gateway reaches one server, and how it treats it. */
export interface GatewayServerOptions {
  /** The server's name: its namespace (`<name>__<tool>`), and its label in logs and metrics. */
  name: string;
  /**
   * Creates a fresh, unstarted connection to the server (spawns the child, opens the socket). Called for
   * the catalog session (`sessionId` `'catalog'`; `undefined` in shared mode), for each client session that uses the server
   * (per-session mode), or once (shared mode) — and again on every restart.
   */
  connect: (sessionId: string | undefined) => Transport;
  /** `per-session` (default): each client session gets its own connection, opened on first use. */
  sessionMode?: SessionMode | undefined;
  /** Restart delays and give-up rule of each connection. */
  restart?: RestartPolicyOptions | undefined;
  /**
   * Decorates each connection a client session uses (the supervised connection, or its port of the
   * shared one): per-server middleware such as a circuit breaker, retry, bulkhead, tracing.
   */
  wrap?: ((backend: Transport, sessionId: string) => Transport) | undefined;
  /** What the server shows of its tools, prompts and resources (allow/deny globs). */
  filters?: ServerFilters | undefined;
  /** Deadline of a request to this server without progress, in ms (default: the gateway's). */
  requestTimeoutMs?: number | undefined;
  /** Hard cap on a request to this server, in ms (default: the gateway's). */
  maxRequestTimeoutMs?: number | undefined;
}

/** Something that happened to one server. */
export type GatewayServerEvent =
  | { type: 'server-up'; server: string; era: string; tools: number; prompts: number; resources: number }
  | { type: 'server-down'; server: string; reason: string }
  | { type: 'server-probe'; server: string; attempt: number }
  | { type: 'server-backend'; server: string; sessionId: string | undefined; event: BackendEvent }
  | { type: 'server-error'; server: string; error: SwitchboardError };

/** What the gateway hands each server. */
export interface GatewayServerContext {
  catalog: Catalog;
  clientInfo: { name: string; version: string };
  /** Deadline of catalog requests, in ms. */
  catalogTimeoutMs: number;
  /** Most items kept per list and server. */
  maxCatalogItems: number;
  /** Delay before a server that went down is tried again, in ms. */
  probeIntervalMs: number;
  onEvent: (event: GatewayServerEvent) => void;
}

/** One client session's connection to a server, as {@link GatewayServer.openLeg} hands it out. */
export interface LegConnection {
  /** Unstarted; already decorated by `wrap`. */
  transport: Transport;
  /** Which incarnation of the server it belongs to (see {@link GatewayServer.generation}). */
  generation: number;
  /** `true` once this connection's supervisor gave up (the leg should be replaced). */
  failed: () => boolean;
}

/** The session id the catalog session's connection gets in per-session mode (for logs). */
export const CATALOG_SESSION = 'catalog';

/** One incarnation of a server: its catalog session and, in shared mode, the shared connection. */
interface Generation {
  readonly id: number;
  readonly session: CatalogSession;
  readonly supervisor: SupervisedBackend;
  readonly shared: SharedBackend | undefined;
  /** Set when this generation reported its first outcome. */
  settled: boolean;
  closed: boolean;
}

/**
 * One server behind the gateway: its catalog session (which keeps the catalog's entry for it up to
 * date), the connections client sessions open to it (per-session: a supervised connection each, opened
 * on first use; shared: ports of one supervised connection), and its recovery: when its supervisor
 * gives up, the server is withdrawn from the catalog and tried again every `probeIntervalMs` in a fresh
 * incarnation (*generation*); when that one lists, the server is back.
 */
export class GatewayServer {
  readonly name: string;
  readonly options: GatewayServerOptions;
  readonly #ctx: GatewayServerContext;
  readonly #shared: boolean;
  #gen: Generation | undefined;
  #nextGeneration = 0;
  #probes = 0;
  #probeTimer: NodeJS.Timeout | undefined;
  #firstOutcome: (() => void) | undefined;
  #closed = false;

  /** @param options - how to reach the server; @param ctx - the gateway's catalog and settings */
  constructor(options: GatewayServerOptions, ctx: GatewayServerContext) {
    this.name = options.name;
    this.options = options;
    this.#ctx = ctx;
    this.#shared = (options.sessionMode ?? 'per-session') === 'shared';
  }

  /** The current incarnation: grows each time the server is tried again after going down. */
  get generation(): number {
    return this.#gen?.id ?? 0;
  }

  /** `per-session` or `shared`. */
  get sessionMode(): SessionMode {
    return this.#shared ? 'shared' : 'per-session';
  }

  /** Starts the first incarnation; resolves once the server is listed or down (never rejects). */
  start(): Promise<void> {
    const outcome = new Promise<void>((resolve) => (this.#firstOutcome = resolve));
    this.#launch();
    return outcome;
  }

  /**
   * A new connection for one client session (unstarted; start it, then initialize it as the session's
   * client would).
   *
   * @param sessionId - the client session (tags the child's logs)
   */
  openLeg(sessionId: string): LegConnection {
    const gen = this.#gen;
    const id = gen?.id ?? 0;
    if (this.#shared && gen?.shared) {
      const supervisor = gen.supervisor;
      return {
        transport: this.#wrap(gen.shared.openPort(), sessionId),
        generation: id,
        failed: () => supervisor.failed,
      };
    }
    const supervisor = this.#supervise(sessionId);
    return { transport: this.#wrap(supervisor, sessionId), generation: id, failed: () => supervisor.failed };
  }

  /** Stops probing and closes the catalog session and the shared connection (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#probeTimer);
    this.#firstOutcome?.();
    const gen = this.#gen;
    this.#gen = undefined;
    if (gen) await this.#closeGeneration(gen);
  }

  #wrap(transport: Transport, sessionId: string): Transport {
    return this.options.wrap ? this.options.wrap(transport, sessionId) : transport;
  }

  #supervise(sessionId: string | undefined, onEvent?: (event: BackendEvent) => void): SupervisedBackend {
    // The catalog session of a per-session server is a session of its own: tagged so in the logs.
    const tag = sessionId ?? (this.#shared ? undefined : CATALOG_SESSION);
    return new SupervisedBackend({
      connect: () => this.options.connect(tag),
      restart: this.options.restart,
      onEvent: (event) => {
        this.#ctx.onEvent({ type: 'server-backend', server: this.name, sessionId, event });
        onEvent?.(event);
      },
    });
  }

  #launch(): void {
    if (this.#closed) return;
    const id = ++this.#nextGeneration;
    // The catalog session's supervisor decides whether the server is up (shared mode: the shared one).
    const onEvent = (event: BackendEvent): void => this.#supervisorEvent(id, event);
    const supervisor = this.#supervise(undefined, onEvent);
    const shared = this.#shared ? new SharedBackend(supervisor) : undefined;
    const session = new CatalogSession({
      server: this.name,
      transport: shared ? shared.openPort() : supervisor,
      clientInfo: this.#ctx.clientInfo,
      timeoutMs: this.#ctx.catalogTimeoutMs,
      maxItems: this.#ctx.maxCatalogItems,
      onListing: (listing) => {
        if (this.#gen?.id === id) this.#ctx.catalog.setListing(this.name, listing);
      },
      onError: (error) => this.#ctx.onEvent({ type: 'server-error', server: this.name, error }),
    });
    const gen: Generation = { id, session, supervisor, shared, settled: false, closed: false };
    const previous = this.#gen;
    this.#gen = gen;
    if (previous) void this.#closeGeneration(previous);
    session.start().then(
      (listing) => {
        if (this.#gen !== gen || gen.closed) return;
        this.#probes = 0;
        this.#ctx.catalog.setListing(this.name, listing);
        this.#ctx.onEvent({
          type: 'server-up',
          server: this.name,
          era: listing.era,
          tools: listing.tools.length,
          prompts: listing.prompts.length,
          resources: listing.resources.length,
        });
        this.#settle(gen);
      },
      (error: unknown) => {
        if (this.#gen !== gen || gen.closed) return;
        this.#down(gen, toSwitchboardError(error).message);
      },
    );
  }

  #supervisorEvent(id: number, event: BackendEvent): void {
    const gen = this.#gen;
    if (gen?.id !== id || gen.closed) return;
    if (event.type === 'gave-up') this.#down(gen, event.error.message);
    // A restarted backend may offer something else now.
    else if (event.type === 'reinitialized') gen.session.relist();
  }

  #down(gen: Generation, reason: string): void {
    if (this.#closed) return;
    this.#ctx.catalog.setDown(this.name, reason);
    this.#ctx.onEvent({ type: 'server-down', server: this.name, reason });
    this.#settle(gen);
    clearTimeout(this.#probeTimer);
    this.#probeTimer = setTimeout(() => {
      this.#probes++;
      this.#ctx.onEvent({ type: 'server-probe', server: this.name, attempt: this.#probes });
      this.#launch();
    }, this.#ctx.probeIntervalMs);
    this.#probeTimer.unref();
  }

  #settle(gen: Generation): void {
    if (gen.settled) return;
    gen.settled = true;
    const resolve = this.#firstOutcome;
    this.#firstOutcome = undefined;
    resolve?.();
  }

  async #closeGeneration(gen: Generation): Promise<void> {
    if (gen.closed) return;
    gen.closed = true;
    await Promise.allSettled([gen.session.close(), gen.shared?.close() ?? gen.supervisor.close()]);
  }
}
