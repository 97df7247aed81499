import { SwitchboardError } from '../errors.js';
import type { ConnectionInfo } from '../listener.js';
import { Proxy, type ProxyEvent, type ProxyOptions, type SessionOverrides } from '../proxy/proxy.js';
import type { Transport } from '../transport.js';
import { InMemoryTransport } from '../transports/in-memory.js';
import { Catalog, type CatalogChange, type CatalogReport, type ServerStatus } from './catalog.js';
import { CatalogView, DEFAULT_PAGE_SIZE } from './catalog-view.js';
import { GatewayServer, type GatewayServerEvent, type GatewayServerOptions } from './gateway-server.js';
import { GatewaySession } from './gateway-session.js';
import { DEFAULT_SEPARATOR, Namespace, type NamespaceOption } from './namespace.js';

/** Everything a gateway reports: its client sessions, its servers, its catalog. */
export type GatewayEvent =
  | ProxyEvent
  | GatewayServerEvent
  | { type: 'catalog-changed'; change: CatalogChange }
  | ({ type: 'catalog-report' } & { report: CatalogReport });

/** Options of {@link Gateway}. */
export interface GatewayOptions {
  /** The servers, in order (the first to list a URI serves it). */
  servers: readonly GatewayServerOptions[];
  /** `{ separator }` (default `__`) or `false` (names unchanged; only with a single server). */
  namespace?: NamespaceOption | undefined;
  /** What the gateway calls itself in `initialize`/`server/discover` (default `switchboard-gateway`). */
  serverInfo?: { name: string; version: string; [key: string]: unknown } | undefined;
  /** Text before the servers' own instructions (which follow, each under its server's name). */
  instructions?: string | undefined;
  /** Most concurrent client sessions (default 1,000). */
  maxSessions?: number | undefined;
  /** Close idle client sessions after this long, in ms (0 = never; default 30 minutes, as {@link Proxy}). */
  idleTimeoutMs?: number | undefined;
  /** Close a client session that sent nothing this long after it opened, in ms (0 = never; default 30 s). */
  firstMessageTimeoutMs?: number | undefined;
  /** Per-principal and per-address session caps (as {@link ProxyOptions.clientLimits}). */
  clientLimits?: ProxyOptions['clientLimits'];
  /** Request deadlines of client sessions. */
  relay?: ProxyOptions['relay'];
  /** Deadline of the gateway's own requests (handshakes, lists), in ms (default 30,000). */
  catalogTimeoutMs?: number | undefined;
  /** How long {@link Gateway.start} waits for the servers' first listings, in ms (default 30,000). */
  startTimeoutMs?: number | undefined;
  /** Delay before a server that went down is tried again, in ms (default 30,000). */
  probeIntervalMs?: number | undefined;
  /** Most items kept per list and server (default 10,000). */
  maxCatalogItems?: number | undefined;
  /** Items per page of merged lists (default 1,000). */
  pageSize?: number | undefined;
  onEvent?: ((event: GatewayEvent) => void) | undefined;
}

/** Where the gateway stands, for `/readyz`. */
export interface GatewayStatus {
  /** Not shutting down, and at least one server is up. */
  ready: boolean;
  servers: { server: string; status: ServerStatus; reason?: string }[];
}

const VIEW = Symbol('mcp-switchboard.gateway.view');

type TaggedInfo = ConnectionInfo & { [VIEW]?: CatalogView };

/**
 * Many MCP servers behind one endpoint. Each server keeps its own supervision (restarts, give-up) and
 * session mode; the gateway merges what they offer into one {@link Catalog} (tools and prompts as
 * `<server>__<name>`, resources by URI) and gives every client session a router
 * ({@link GatewaySession}) that sends each request to the server it belongs to and each server message
 * back to the session it belongs to.
 *
 * Client sessions come from any listener: pass {@link accept} (everything) or
 * {@link frontend}`(expose)` (a virtual server: a subset) as its `onConnection`.
 *
 * @example
 * ```ts
 * const gateway = new Gateway({
 *   servers: [
 *     { name: 'everything', connect: () => connect('stdio:', { stdio: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] } }) },
 *     { name: 'files', connect: () => connect('http://127.0.0.1:9000/mcp') },
 *   ],
 * });
 * await gateway.start();
 * await listen('http://127.0.0.1:8000/mcp', { onConnection: gateway.accept });
 * ```
 */
export class Gateway {
  /** The merged catalog (names, owners, server status). */
  readonly catalog: Catalog;
  readonly #options: GatewayOptions;
  readonly #servers = new Map<string, GatewayServer>();
  readonly #view: CatalogView;
  readonly #views = new Map<string, CatalogView>();
  readonly #proxy: Proxy;
  readonly #deadlines = new Map<string, { timeoutMs: number; maxTimeoutMs: number }>();
  #closing = false;

  /**
   * @param options - servers, naming, bounds
   * @throws SwitchboardError `INVALID_OPTIONS` for bad or ambiguous server names, or `namespace: false`
   *   with several servers
   */
  constructor(options: GatewayOptions) {
    this.#options = options;
    const names = options.servers.map((s) => s.name);
    const namespace = new Namespace(options.namespace ?? { separator: DEFAULT_SEPARATOR }, names);
    const onEvent = (event: GatewayEvent): void => {
      try {
        options.onEvent?.(event);
      } catch {
        // An observer must not break the gateway.
      }
    };
    this.catalog = new Catalog({
      servers: options.servers.map((s) => ({ name: s.name, filters: s.filters })),
      namespace,
      onReport: (report) => onEvent({ type: 'catalog-report', report }),
    });
    this.catalog.onChange((change) => onEvent({ type: 'catalog-changed', change }));
    for (const server of options.servers) {
      this.#servers.set(
        server.name,
        new GatewayServer(server, {
          catalog: this.catalog,
          clientInfo: { name: 'switchboard-gateway', version: String(this.#serverInfo.version) },
          catalogTimeoutMs: options.catalogTimeoutMs ?? 30_000,
          maxCatalogItems: options.maxCatalogItems ?? 10_000,
          probeIntervalMs: options.probeIntervalMs ?? 30_000,
          onEvent,
        }),
      );
    }
    // Servers with deadlines shorter than the relay's get their own (the relay covers the rest).
    const relayTimeout = options.relay?.requestTimeoutMs ?? 60_000;
    const relayMax = options.relay?.maxRequestTimeoutMs ?? 600_000;
    for (const s of options.servers) {
      const timeoutMs = s.requestTimeoutMs ?? relayTimeout;
      const maxTimeoutMs = s.maxRequestTimeoutMs ?? relayMax;
      if (timeoutMs < relayTimeout || maxTimeoutMs < relayMax)
        this.#deadlines.set(s.name, { timeoutMs, maxTimeoutMs });
    }
    this.#view = this.#newView(undefined);
    this.#proxy = new Proxy({
      openSession: (sessionId, info) => this.openSession(sessionId, (info as TaggedInfo)[VIEW] ?? this.#view),
      maxSessions: options.maxSessions,
      idleTimeoutMs: options.idleTimeoutMs,
      firstMessageTimeoutMs: options.firstMessageTimeoutMs,
      clientLimits: options.clientLimits,
      relay: options.relay,
      onEvent,
    });
  }

  /** The servers, by name. */
  get servers(): ReadonlyMap<string, GatewayServer> {
    return this.#servers;
  }

  /** Open client sessions. */
  get sessionCount(): number {
    return this.#proxy.sessionCount;
  }

  /** Not shutting down, and at least one server is up. */
  get ready(): boolean {
    return !this.#closing && this.#proxy.ready && this.catalog.statuses().some((s) => s.status === 'up');
  }

  /** Readiness and each server's status. */
  status(): GatewayStatus {
    return { ready: this.ready, servers: this.catalog.statuses() };
  }

  /**
   * Starts every server's catalog session and waits until each is listed or down (at most
   * `startTimeoutMs`; a server still starting then joins later, announced with `list_changed`).
   */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.#servers.values()].map((s) => s.start())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.startTimeoutMs ?? 30_000);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /** Accepts a client session that sees everything: a listener's `onConnection`. */
  readonly accept = (frontend: Transport, info: ConnectionInfo = {}): void => {
    this.#proxy.accept(frontend, info);
  };

  /**
   * A listener's `onConnection` for a *virtual server*: its sessions see (and may use) only the tools
   * and prompts whose exposed names, and the resources whose URIs, match `expose`.
   *
   * @param expose - globs (`files__read_*`); absent: everything
   * @param overrides - the sessions' own idle and first-message timeouts (a stdio frontend's one client
   *   owns the process: `{ idleTimeoutMs: 0, firstMessageTimeoutMs: 0 }`)
   */
  frontend(
    expose?: readonly string[],
    overrides?: SessionOverrides,
  ): (frontend: Transport, info?: ConnectionInfo) => void {
    const accept = overrides ? this.#proxy.acceptWith(overrides) : this.#proxy.accept;
    if (expose === undefined) return accept;
    const view = this.#newView(expose);
    return (frontend, info = {}) => {
      const tagged: TaggedInfo = { ...info, [VIEW]: view };
      accept(frontend, tagged);
    };
  }

  /**
   * The router of one client session, unstarted, for callers that relay it themselves (most use
   * {@link accept}). Its `send()` takes the client's messages; its `onmessage` gives the answers.
   */
  openSession(sessionId: string, view: CatalogView = this.#view): GatewaySession {
    if (this.#closing) throw new SwitchboardError('TRANSPORT_CLOSED', 'Gateway closed');
    return new GatewaySession({
      sessionId,
      view,
      servers: this.#servers,
      serverInfo: this.#serverInfo,
      instructions: this.#options.instructions,
      handshakeTimeoutMs: this.#options.catalogTimeoutMs ?? 30_000,
      deadlines: this.#deadlines,
    });
  }

  /**
   * A client transport into the gateway, in process (e.g. for an SDK `Client`, or an adapter that
   * serves the merged catalog over REST): the other half is accepted like any client session.
   *
   * @param expose - as for {@link frontend}
   */
  connect(expose?: readonly string[]): Transport {
    const [client, server] = InMemoryTransport.createLinkedPair();
    this.frontend(expose)(server, {});
    return client;
  }

  /**
   * Shuts down: refuses new sessions, lets requests in flight finish for up to `graceMs`, closes the
   * sessions, then the servers' connections. Idempotent.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#proxy.close(options);
    await Promise.allSettled([...this.#servers.values()].map((s) => s.close()));
  }

  get #serverInfo(): { name: string; version: string; [key: string]: unknown } {
    return this.#options.serverInfo ?? { name: 'switchboard-gateway', version: '0.0.0' };
  }

  #newView(expose: readonly string[] | undefined): CatalogView {
    const key = expose === undefined ? '' : JSON.stringify(expose);
    let view = this.#views.get(key);
    if (!view) {
      view = new CatalogView(this.catalog, expose, this.#options.pageSize ?? DEFAULT_PAGE_SIZE);
      this.#views.set(key, view);
    }
    return view;
  }
}
