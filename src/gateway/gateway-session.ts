import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isRequest,
  isRequestId,
  isResponse,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import { SESSION_ERA_VERSIONS } from '../protocol/versions.js';
import { InflightTable, type InflightRequest } from '../proxy/inflight-table.js';
import type { MessageExtraInfo, Transport } from '../transport.js';
import type { CatalogChange, CatalogKind } from './catalog.js';
import type { CatalogView } from './catalog-view.js';
import type { GatewayServer } from './gateway-server.js';
import { Leg, type LegOwner } from './leg.js';
import { discoverResult, isModernRequest, modernResult } from './modern.js';
import { resolveName, resolveTemplate, resolveUri, unavailable } from './resolve.js';
import { ServerRequestTable } from './server-request-table.js';
import { SessionExtras } from './session-extras.js';

/** Options of {@link GatewaySession}. */
export interface GatewaySessionOptions {
  /** The client session (tags the servers' child logs). */
  sessionId: string;
  /** What this session sees of the catalog (everything, or a virtual server's subset). */
  view: CatalogView;
  /** The servers by name. */
  servers: ReadonlyMap<string, GatewayServer>;
  /** What the gateway answers `initialize`/`server/discover` with. */
  serverInfo: Readonly<Record<string, unknown>>;
  /** Text put before the servers' instructions. */
  instructions?: string | undefined;
  /** Deadline of opening a server connection (its `initialize`), in ms. */
  handshakeTimeoutMs: number;
  /**
   * Servers whose requests have a shorter deadline than the relay's (which covers the rest): without
   * progress `timeoutMs`, whatever the progress `maxTimeoutMs`.
   */
  deadlines?: ReadonlyMap<string, { timeoutMs: number; maxTimeoutMs: number }> | undefined;
}

/**
 * A client request waiting at one server (the common case: the connection itself, no allocation), or
 * at several (`logging/setLevel`, `tasks/list`), or a 2026 `subscriptions/listen`.
 */
type Route =
  | Leg
  | { kind: 'fanout'; method: string; pending: Set<Leg>; results: Record<string, unknown>[] }
  | { kind: 'listen'; legs: Set<Leg> };

const LIST_KEYS: Record<string, { kind: CatalogKind; key: string }> = {
  'tools/list': { kind: 'tools', key: 'tools' },
  'prompts/list': { kind: 'prompts', key: 'prompts' },
  'resources/list': { kind: 'resources', key: 'resources' },
  'resources/templates/list': { kind: 'resourceTemplates', key: 'resourceTemplates' },
};

const LIST_CHANGED: Record<CatalogKind, string> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
  resourceTemplates: 'notifications/resources/list_changed',
};

const LISTEN_FLAG: Record<string, string> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** Server notifications the gateway does not pass on: the catalog announces list changes itself. */
const DROPPED_FROM_SERVERS = new Set([
  ...Object.values(LIST_CHANGED),
  'notifications/subscriptions/acknowledged',
]);

/**
 * One client session of a gateway, presented to the relay as its backend {@link Transport}: the router.
 *
 * It answers `initialize`, `server/discover`, `ping` and every list itself (from the catalog), and
 * routes everything else to the server it belongs to — tools and prompts by name (`<server>__<name>`,
 * rewritten to the server's own name), resources by URI owner, completions by prompt or template,
 * tasks by the server that created them — over a connection of this session's own to that server,
 * opened on first use ({@link Leg}). The client's request ids and progress tokens pass unchanged (each
 * connection carries only this session's traffic); server→client requests get ids of the session's own
 * so answers, cancellations and progress find the server that asked. Nothing crosses sessions or
 * servers. `logging/setLevel` and `notifications/roots/list_changed` go to every open connection (and
 * the level to the ones opened later); catalog changes become `list_changed` notifications.
 */
export class GatewaySession implements Transport, LegOwner {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  readonly #o: GatewaySessionOptions;
  readonly #legs = new Map<string, Leg>();
  readonly #routes = new Map<RequestId, Route>();
  readonly #serverRequests = new ServerRequestTable<Leg>();
  readonly #extras = new SessionExtras();
  readonly #listens = new Map<RequestId, Record<string, unknown>>();
  readonly #deadlines = new Map<string, InflightTable>();
  #initialize: MessageParams | undefined;
  #initialized = false;
  #logLevel: string | undefined;
  #unsubscribe: (() => void) | undefined;
  #started = false;
  #closed = false;

  /** @param options - the session's view of the catalog, the servers, identity */
  constructor(options: GatewaySessionOptions) {
    this.#o = options;
  }

  /** Servers this session has a connection to. */
  get openServers(): string[] {
    return [...this.#legs.keys()];
  }

  start(): Promise<void> {
    if (this.#started)
      return Promise.reject(new SwitchboardError('ALREADY_STARTED', 'Session already started'));
    this.#started = true;
    this.#unsubscribe = this.#o.view.catalog.onChange((change) => this.#catalogChanged(change));
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', 'Session closed'));
    try {
      if (isRequest(message)) return this.#request(message);
      if (isResponse(message)) return this.#clientAnswer(message);
      return this.#clientNotification(message);
    } catch (error) {
      return Promise.reject(toSwitchboardError(error));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    const legs = [...this.#legs.values()];
    this.#legs.clear();
    this.#routes.clear();
    for (const table of this.#deadlines.values()) table.drain();
    try {
      await Promise.allSettled(legs.map((leg) => leg.close()));
    } finally {
      this.onclose?.();
    }
  }

  // ── client → servers ────────────────────────────────────────────────────────────────────────────

  #request(m: JSONRPCRequest): Promise<void> {
    const view = this.#o.view;
    const params = m.params ?? {};
    switch (m.method) {
      case 'initialize':
        this.#initialize = params;
        return this.#answer(m, this.#initializeResult(params));
      case 'ping':
        return this.#answer(m, {});
      case 'server/discover':
        return this.#answer(m, discoverResult(view.catalog.capabilities(), this.#instructions()));
      case 'tools/list':
      case 'prompts/list':
      case 'resources/list':
      case 'resources/templates/list': {
        const { kind, key } = LIST_KEYS[m.method] as { kind: CatalogKind; key: string };
        const page = view.page(kind, params.cursor);
        return this.#answer(m, {
          [key]: page.items,
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        });
      }
      case 'tools/call':
      case 'prompts/get': {
        const target = resolveName(view, m.method === 'tools/call' ? 'tools' : 'prompts', params.name);
        return this.#forward(m, target.server, { ...params, name: target.name });
      }
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return this.#forward(m, resolveUri(view, params.uri, this.#extras.learnedUris));
      case 'completion/complete':
        return this.#completion(m, params);
      case 'logging/setLevel':
        this.#logLevel = typeof params.level === 'string' ? params.level : this.#logLevel;
        return this.#fanout(m, (leg) => leg.ready);
      case 'tasks/get':
      case 'tasks/result':
      case 'tasks/cancel':
        return this.#forward(m, this.#taskOwner(params.taskId));
      case 'tasks/list':
        return this.#fanout(m, (leg) => leg.ready);
      case 'subscriptions/listen':
        return this.#listen(m, params);
      default: {
        // A method the gateway does not know: only a single server can take it unambiguously.
        const names = view.catalog.serverNames;
        if (names.length === 1) return this.#forward(m, names[0] as string);
        throw new SwitchboardError(
          'UNROUTABLE',
          `Method not found: ${m.method} (the gateway cannot tell which server it is for)`,
        );
      }
    }
  }

  #completion(m: JSONRPCRequest, params: MessageParams): Promise<void> {
    const ref = (params.ref ?? {}) as Record<string, unknown>;
    if (ref.type === 'ref/prompt') {
      const target = resolveName(this.#o.view, 'prompts', ref.name);
      return this.#forward(m, target.server, { ...params, ref: { ...ref, name: target.name } });
    }
    return this.#forward(m, resolveTemplate(this.#o.view, ref.uri));
  }

  #taskOwner(taskId: unknown): string {
    const server = typeof taskId === 'string' ? this.#extras.taskOwner(taskId) : undefined;
    if (server === undefined)
      throw new SwitchboardError('INVALID_PARAMS', `Task ${String(taskId)} not found`);
    if (this.#o.view.catalog.status(server) !== 'up') throw unavailable(this.#o.view.catalog, server);
    return server;
  }

  #forward(m: JSONRPCRequest, server: string, params?: MessageParams): Promise<void> {
    const leg = this.#leg(server);
    this.#routes.set(m.id, leg);
    const deadline = this.#o.deadlines?.size ? this.#deadline(server) : undefined;
    if (deadline) {
      const token = m.params?._meta?.progressToken;
      deadline.add(
        m.id,
        m.method,
        typeof token === 'string' || typeof token === 'number' ? token : undefined,
      );
    }
    const out: JSONRPCMessage = params === undefined ? m : { ...m, params };
    return leg.send(out).catch((error: unknown) => {
      this.#routes.delete(m.id);
      this.#deadlines.get(server)?.take(m.id);
      throw error;
    });
  }

  /** Sends a request to every open connection that `include` accepts and answers once all did. */
  #fanout(m: JSONRPCRequest, include: (leg: Leg) => boolean): Promise<void> {
    const legs = [...this.#legs.values()].filter(include);
    if (legs.length === 0) return this.#answer(m, m.method === 'tasks/list' ? { tasks: [] } : {});
    const route: Route = { kind: 'fanout', method: m.method, pending: new Set(legs), results: [] };
    this.#routes.set(m.id, route);
    for (const leg of legs) {
      leg.send(m).catch(() => this.#fanoutAnswered(m.id, route, leg, undefined));
    }
    return Promise.resolve();
  }

  #fanoutAnswered(
    id: RequestId,
    route: Extract<Route, { kind: 'fanout' }>,
    leg: Leg,
    result: Record<string, unknown> | undefined,
  ): void {
    if (!route.pending.delete(leg)) return;
    if (result) route.results.push(result);
    if (route.pending.size > 0 || this.#routes.get(id) !== route) return;
    this.#routes.delete(id);
    const merged =
      route.method === 'tasks/list'
        ? { tasks: route.results.flatMap((r) => (Array.isArray(r.tasks) ? (r.tasks as unknown[]) : [])) }
        : {};
    this.#emit({ jsonrpc: '2.0', id, result: merged });
  }

  /** 2026-07-28 `subscriptions/listen`: list changes from the catalog; resource updates from their owners. */
  #listen(m: JSONRPCRequest, params: MessageParams): Promise<void> {
    const asked = (params.notifications ?? {}) as Record<string, unknown>;
    const honored: Record<string, unknown> = {};
    for (const flag of Object.values(LISTEN_FLAG)) if (asked[flag] === true) honored[flag] = true;
    const byServer = new Map<string, string[]>();
    const uris = Array.isArray(asked.resourceSubscriptions) ? (asked.resourceSubscriptions as unknown[]) : [];
    for (const uri of uris) {
      try {
        const server = resolveUri(this.#o.view, uri, this.#extras.learnedUris);
        byServer.set(server, [...(byServer.get(server) ?? []), uri as string]);
      } catch {
        // A URI nobody serves is simply not honored (the acknowledgement says so).
      }
    }
    if (byServer.size > 0) honored.resourceSubscriptions = [...byServer.values()].flat();
    this.#listens.set(m.id, honored);
    const route: Route = { kind: 'listen', legs: new Set() };
    this.#routes.set(m.id, route);
    for (const [server, subscribed] of byServer) {
      const leg = this.#leg(server);
      route.legs.add(leg);
      leg
        .send({ ...m, params: { ...params, notifications: { resourceSubscriptions: subscribed } } })
        .catch(() => route.legs.delete(leg));
    }
    this.#emit({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: honored, _meta: { 'io.modelcontextprotocol/subscriptionId': m.id } },
    });
    return Promise.resolve();
  }

  #clientAnswer(m: JSONRPCMessage & { id?: RequestId | undefined }): Promise<void> {
    const entry = m.id === undefined ? undefined : this.#serverRequests.take(m.id);
    if (entry === undefined) return Promise.resolve(); // not ours, or the server cancelled it
    return entry.leg.send({ ...m, id: entry.backendId }).catch(() => undefined);
  }

  #clientNotification(m: JSONRPCNotification): Promise<void> {
    switch (m.method) {
      case 'notifications/initialized':
        // Each connection sends its own after its handshake.
        this.#initialized = true;
        return Promise.resolve();
      case 'notifications/cancelled': {
        const id = m.params?.requestId;
        const route = isRequestId(id) ? this.#routes.get(id) : undefined;
        if (route === undefined || !isRequestId(id)) return Promise.resolve();
        this.#routes.delete(id);
        this.#listens.delete(id);
        if (route instanceof Leg) this.#deadlines.get(route.server)?.take(id);
        const legs = route instanceof Leg ? [route] : route.kind === 'fanout' ? route.pending : route.legs;
        return this.#toLegs(legs, m);
      }
      case 'notifications/progress': {
        const token = m.params?.progressToken;
        const leg =
          typeof token === 'string' || typeof token === 'number'
            ? this.#serverRequests.legOfToken(token)
            : undefined;
        return leg ? leg.send(m) : Promise.resolve();
      }
      default:
        // roots/list_changed and anything else the client announces: every server this session uses.
        return this.#toLegs(this.#legs.values(), m);
    }
  }

  #toLegs(legs: Iterable<Leg>, m: JSONRPCMessage): Promise<void> {
    const sends = [...legs].map((leg) => leg.send(m).catch(() => undefined));
    return Promise.all(sends).then(() => undefined);
  }

  /** The deadline table of a server with a deadline of its own (created on first use). */
  #deadline(server: string): InflightTable | undefined {
    let table = this.#deadlines.get(server);
    if (table) return table;
    const d = this.#o.deadlines?.get(server);
    if (!d) return undefined;
    table = new InflightTable(d.timeoutMs, d.maxTimeoutMs, (request) => this.#expired(server, request));
    this.#deadlines.set(server, table);
    return table;
  }

  /** A request to a server with its own deadline ran out: cancel it there, answer the client. */
  #expired(server: string, request: InflightRequest): void {
    const route = this.#routes.get(request.id);
    if (!(route instanceof Leg) || route.server !== server) return;
    this.#routes.delete(request.id);
    const seconds = Math.round((Date.now() - request.startedAt) / 100) / 10;
    route
      .send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: request.id, reason: `switchboard: request timed out after ${seconds} s` },
      })
      .catch(() => undefined);
    const error = new SwitchboardError(
      'UPSTREAM_TIMEOUT',
      `Server "${server}": request "${request.method}" timed out after ${seconds} s (switchboard request timeout)`,
      { details: { server } },
    );
    this.#emit(errorResponse(request.id, toJsonRpcError(error)));
  }

  /** This session's connection to `server`, opened (lazily) or replaced when it failed for good. */
  #leg(server: string): Leg {
    const existing = this.#legs.get(server);
    const handle = this.#o.servers.get(server);
    if (handle === undefined) throw new SwitchboardError('UNKNOWN_NAME', `Unknown server ${server}`);
    if (
      existing?.usable &&
      (handle.sessionMode === 'per-session' || existing.generation === handle.generation)
    ) {
      return existing;
    }
    if (existing) {
      this.#legs.delete(server);
      void existing.close();
    }
    const leg = new Leg(server, handle.openLeg(this.#o.sessionId), this);
    this.#legs.set(server, leg);
    leg.open({
      initialize: this.#initialize,
      logLevel: this.#logLevel,
      timeoutMs: this.#o.handshakeTimeoutMs,
    });
    return leg;
  }

  // ── servers → client ────────────────────────────────────────────────────────────────────────────

  legMessage(leg: Leg, message: JSONRPCMessage): void {
    if (this.#closed) return;
    try {
      if (isResponse(message)) this.#serverAnswer(leg, message);
      else if (isRequest(message)) this.#serverRequest(leg, message);
      else this.#serverNotification(leg, message);
    } catch (error) {
      this.onerror?.(toSwitchboardError(error));
    }
  }

  legClosed(leg: Leg, unsent: JSONRPCMessage[], error: SwitchboardError | undefined): void {
    if (this.#legs.get(leg.server) === leg) this.#legs.delete(leg.server);
    this.#serverRequests.dropLeg(leg);
    if (this.#closed) return;
    const reason =
      error ??
      new SwitchboardError('BACKEND_UNAVAILABLE', `Server "${leg.server}" closed the connection`, {
        details: { server: leg.server },
      });
    for (const m of unsent) {
      if (isRequest(m) && this.#routes.get(m.id) instanceof Leg) {
        this.#routes.delete(m.id);
        this.#emit(this.#named(leg, errorResponse(m.id, toJsonRpcError(reason))));
      }
    }
    for (const [id, route] of this.#routes) {
      if (route === leg) {
        this.#routes.delete(id);
        this.#deadlines.get(leg.server)?.take(id);
        this.#emit(this.#named(leg, errorResponse(id, toJsonRpcError(reason))));
      } else if (route instanceof Leg) continue;
      else if (route.kind === 'fanout') this.#fanoutAnswered(id, route, leg, undefined);
      else route.legs.delete(leg);
    }
  }

  #serverAnswer(leg: Leg, m: JSONRPCMessage & { id?: RequestId | undefined }): void {
    const id = m.id;
    const route = id === undefined ? undefined : this.#routes.get(id);
    if (route === undefined || id === undefined) return; // cancelled, timed out, or not ours
    if (!(route instanceof Leg)) {
      // A server ended its part of a listen: the client's stays.
      if (route.kind === 'fanout') {
        this.#fanoutAnswered(
          id,
          route,
          leg,
          'result' in m ? (m.result as Record<string, unknown>) : undefined,
        );
      }
      return;
    }
    if (route !== leg) return;
    this.#routes.delete(id);
    if (this.#deadlines.size > 0) this.#deadlines.get(leg.server)?.take(id);
    if ('result' in m) this.#extras.learn(leg.server, m.result as Record<string, unknown>);
    this.#emit('error' in m ? this.#named(leg, m as JSONRPCErrorResponse) : m);
  }

  #serverRequest(leg: Leg, m: JSONRPCRequest): void {
    const token = m.params?._meta?.progressToken;
    const local = this.#serverRequests.add(
      leg,
      m.id,
      typeof token === 'string' || typeof token === 'number' ? token : undefined,
    );
    if (local === undefined) {
      const full = new SwitchboardError('BACKEND_UNAVAILABLE', 'Too many requests wait for the client');
      leg.send(errorResponse(m.id, toJsonRpcError(full))).catch(() => undefined);
      return;
    }
    this.#emit({ ...m, id: local });
  }

  #serverNotification(leg: Leg, m: JSONRPCNotification): void {
    if (DROPPED_FROM_SERVERS.has(m.method)) return;
    if (m.method === 'notifications/progress' && this.#deadlines.size > 0) {
      const token = m.params?.progressToken;
      if (typeof token === 'string' || typeof token === 'number')
        this.#deadlines.get(leg.server)?.progressed(token);
    }
    if (m.method === 'notifications/cancelled') {
      const id = m.params?.requestId;
      const local = isRequestId(id) ? this.#serverRequests.cancel(leg, id) : undefined;
      if (local !== undefined) this.#emit({ ...m, params: { ...m.params, requestId: local } });
      return;
    }
    this.#emit(m);
  }

  /** Our own errors about a server's connection say which server. */
  #named(leg: Leg, m: JSONRPCErrorResponse): JSONRPCErrorResponse {
    const data = m.error.data as Record<string, unknown> | undefined;
    if (typeof data?.code !== 'string' || data.server !== undefined) return m;
    return {
      ...m,
      error: {
        ...m.error,
        message: `Server "${leg.server}": ${m.error.message}`,
        data: { ...data, server: leg.server },
      },
    };
  }

  // ── the gateway's own answers ───────────────────────────────────────────────────────────────────

  #initializeResult(params: MessageParams): Record<string, unknown> {
    const requested = params.protocolVersion;
    const protocolVersion =
      typeof requested === 'string' && SESSION_ERA_VERSIONS.includes(requested)
        ? requested
        : (SESSION_ERA_VERSIONS[0] as string);
    const instructions = this.#instructions();
    return {
      protocolVersion,
      capabilities: this.#o.view.catalog.capabilities(),
      serverInfo: this.#o.serverInfo,
      ...(instructions !== undefined ? { instructions } : {}),
    };
  }

  #instructions(): string | undefined {
    return this.#o.view.instructions(this.#o.instructions);
  }

  #answer(m: JSONRPCRequest, result: Record<string, unknown>): Promise<void> {
    const stamped = isModernRequest(m) ? modernResult(m.method, result, this.#o.serverInfo) : result;
    this.#emit({ jsonrpc: '2.0', id: m.id, result: stamped });
    return Promise.resolve();
  }

  #catalogChanged(change: CatalogChange): void {
    if (this.#closed) return;
    const methods = new Set([...change.kinds].map((k) => LIST_CHANGED[k]));
    for (const method of methods) {
      if (this.#initialized) this.#emit({ jsonrpc: '2.0', method });
      const flag = LISTEN_FLAG[method] as string;
      for (const [id, honored] of this.#listens) {
        if (honored[flag] === true) {
          this.#emit({
            jsonrpc: '2.0',
            method,
            params: { _meta: { 'io.modelcontextprotocol/subscriptionId': id } },
          });
        }
      }
    }
  }

  #emit(message: JSONRPCMessage): void {
    if (this.#closed) return;
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.onerror?.(toSwitchboardError(error));
    }
  }
}
