import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isRequest,
  isRequestId,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type RequestId,
} from '../protocol/messages.js';
import { MetaKey } from '../protocol/versions.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { SharedPort, type PortOwner } from './shared-port.js';

interface Outbound {
  port: SharedPort;
  id: RequestId;
  method: string;
  /** Whether the request can make the server call back (see {@link canCallBack}). */
  call: boolean;
  token?: { backend: number; original: string | number } | undefined;
}

/** Requests during which a server may send sampling/elicitation/roots requests: not lists, not ping. */
const canCallBack = (method: string): boolean =>
  method !== 'ping' &&
  !method.endsWith('/list') &&
  method !== 'initialize' &&
  method !== 'subscriptions/listen';

interface ServerRequest {
  port: SharedPort;
  backendId: RequestId;
}

/** Options of {@link SharedBackend}. */
export interface SharedBackendOptions {
  /** Most translated entries (requests in flight across all sessions) at once (default 100,000). */
  maxEntries?: number | undefined;
  onError?: ((error: Error) => void) | undefined;
}

/**
 * One backend shared by many client sessions (`--session-mode shared`).
 *
 * - Request ids are translated per (session, id) so answers never cross sessions; progress tokens and
 *   `notifications/cancelled` request ids are mapped the same way.
 * - The backend is initialized once, by the first session; later sessions get the cached result and
 *   their `notifications/initialized` is not repeated.
 * - Server→client requests (sampling, elicitation, roots/list) go to the session that most recently sent
 *   a request still in flight — the one the server is most likely working for — else to the most recently
 *   active session; their ids are translated too.
 * - Session-less notifications (list_changed, log messages) go to every session; `resources/updated`
 *   only to sessions that subscribed to that URI.
 * - A closing session's requests are cancelled at the backend, and server→client requests routed to it
 *   are answered with an error.
 */
export class SharedBackend implements PortOwner {
  readonly #backend: Transport;
  readonly #maxEntries: number;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #ports = new Set<SharedPort>();
  readonly #outbound = new Map<number, Outbound>();
  readonly #tokens = new Map<number, Outbound>();
  readonly #serverRequests = new Map<string, ServerRequest>();
  readonly #serverRequestIds = new Map<RequestId, string>();
  readonly #subscriptions = new Map<string, Set<SharedPort>>();
  #next = 0;
  #started: Promise<void> | undefined;
  #lastActive: SharedPort | undefined;
  #initResult: Record<string, unknown> | undefined;
  #initWaiters: { port: SharedPort; id: RequestId }[] | undefined;
  #initializedSent = false;
  #closed = false;

  /**
   * @param backend - the shared backend connection (usually a SupervisedBackend), unstarted
   * @param options - bounds and error reporting
   */
  constructor(backend: Transport, options: SharedBackendOptions = {}) {
    this.#backend = backend;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#onError = options.onError;
    backend.onmessage = (m, extra) => this.#fromBackend(m, extra);
    backend.onerror = (e) => this.#onError?.(e);
  }

  /** Sessions attached. */
  get sessionCount(): number {
    return this.#ports.size;
  }

  /** Requests in flight across all sessions. */
  get inflightCount(): number {
    return this.#outbound.size;
  }

  /** A new session's transport to the shared backend (unstarted). */
  openPort(): SharedPort {
    return new SharedPort(this);
  }

  async startPort(port: SharedPort): Promise<void> {
    if (this.#closed) throw new SwitchboardError('TRANSPORT_CLOSED', 'Shared backend closed');
    this.#ports.add(port);
    this.#started ??= this.#backend.start();
    await this.#started;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#ports].map((p) => p.close()));
    await this.#backend.close();
  }

  fromPort(port: SharedPort, message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.#lastActive = port;
    if (isRequest(message)) return this.#request(port, message, options);
    if (isResponse(message)) {
      const local = message.id;
      const entry = typeof local === 'string' ? this.#serverRequests.get(local) : undefined;
      if (entry === undefined || entry.port !== port) return Promise.resolve(); // unknown or not this session's
      this.#serverRequests.delete(local as string);
      this.#serverRequestIds.delete(entry.backendId);
      return this.#backend.send({ ...message, id: entry.backendId });
    }
    return this.#notification(port, message);
  }

  closePort(port: SharedPort): void {
    this.#ports.delete(port);
    if (this.#lastActive === port) this.#lastActive = undefined;
    for (const backendId of port.inflight) {
      // An initialize in flight stays: its answer initializes the backend for the other sessions.
      if (this.#outbound.get(backendId)?.method === 'initialize') continue;
      this.#forget(backendId);
      this.#backend
        .send({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: backendId, reason: 'client session closed' },
        })
        .catch(() => undefined);
    }
    for (const subscribers of this.#subscriptions.values()) subscribers.delete(port);
    for (const [local, entry] of this.#serverRequests) {
      if (entry.port !== port) continue;
      this.#serverRequests.delete(local);
      this.#serverRequestIds.delete(entry.backendId);
      const error = new SwitchboardError(
        'TRANSPORT_CLOSED',
        'The client session this request was routed to closed',
      );
      this.#backend.send(errorResponse(entry.backendId, toJsonRpcError(error))).catch(() => undefined);
    }
  }

  #request(port: SharedPort, message: JSONRPCRequest, options?: TransportSendOptions): Promise<void> {
    if (message.method === 'initialize' && (this.#initResult || this.#initWaiters)) {
      if (this.#initResult) port.deliver({ jsonrpc: '2.0', id: message.id, result: this.#initResult });
      else this.#initWaiters?.push({ port, id: message.id });
      return Promise.resolve();
    }
    if (this.#outbound.size >= this.#maxEntries) {
      const error = new SwitchboardError(
        'BACKEND_UNAVAILABLE',
        `Shared backend has ${this.#maxEntries} requests in flight`,
      );
      port.deliver(errorResponse(message.id, toJsonRpcError(error)));
      return Promise.resolve();
    }
    if (message.method === 'initialize') this.#initWaiters = [];
    this.#trackSubscription(port, message);
    const backendId = ++this.#next;
    const original = message.params?._meta?.progressToken;
    const call = canCallBack(message.method);
    const entry: Outbound = { port, id: message.id, method: message.method, call };
    let params = message.params;
    if (params && (typeof original === 'string' || typeof original === 'number')) {
      const token = ++this.#next;
      entry.token = { backend: token, original };
      this.#tokens.set(token, entry);
      params = { ...params, _meta: { ...params._meta, progressToken: token } };
    }
    this.#outbound.set(backendId, entry);
    port.inflight.add(backendId);
    port.byOriginalId.set(message.id, backendId);
    port.lastRequestAt = Date.now();
    if (call) {
      port.callsInflight++;
      port.lastCallAt = port.lastRequestAt;
    }
    const translated: JSONRPCRequest = { ...message, id: backendId };
    if (params !== message.params) translated.params = params;
    // Per-message HTTP headers (Mcp-Param-*) travel on; who the caller is stays with the session.
    const forward = options?.headers === undefined ? undefined : { headers: options.headers };
    return this.#backend.send(translated, forward).catch((error: unknown) => {
      this.#forget(backendId);
      throw toSwitchboardError(error);
    });
  }

  #notification(port: SharedPort, message: JSONRPCNotification): Promise<void> {
    if (message.method === 'notifications/initialized') {
      if (this.#initializedSent) return Promise.resolve();
      this.#initializedSent = true;
    } else if (message.method === 'notifications/cancelled') {
      const original = message.params?.requestId;
      const backendId = isRequestId(original) ? port.byOriginalId.get(original) : undefined;
      if (backendId === undefined) return Promise.resolve();
      this.#forget(backendId);
      return this.#backend.send({ ...message, params: { ...message.params, requestId: backendId } });
    }
    return this.#backend.send(message);
  }

  #trackSubscription(port: SharedPort, message: JSONRPCRequest): void {
    const uri = message.params?.uri;
    if (typeof uri !== 'string') return;
    if (message.method === 'resources/subscribe') {
      let set = this.#subscriptions.get(uri);
      if (!set) this.#subscriptions.set(uri, (set = new Set()));
      set.add(port);
    } else if (message.method === 'resources/unsubscribe') {
      this.#subscriptions.get(uri)?.delete(port);
    }
  }

  #forget(backendId: number): void {
    const entry = this.#outbound.get(backendId);
    if (!entry) return;
    this.#outbound.delete(backendId);
    if (entry.token) this.#tokens.delete(entry.token.backend);
    entry.port.inflight.delete(backendId);
    if (entry.call) entry.port.callsInflight--;
    if (entry.port.byOriginalId.get(entry.id) === backendId) entry.port.byOriginalId.delete(entry.id);
  }

  #fromBackend(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    try {
      if (isResponse(message)) this.#response(message);
      else if (isRequest(message)) this.#serverRequest(message, extra?.relatedRequestId);
      else this.#serverNotification(message);
    } catch (error) {
      this.#onError?.(toSwitchboardError(error));
    }
  }

  #response(message: JSONRPCMessage & { id?: RequestId | undefined }): void {
    const backendId = message.id;
    const entry = typeof backendId === 'number' ? this.#outbound.get(backendId) : undefined;
    if (entry === undefined) return; // cancelled, timed out, or its session left
    this.#forget(backendId as number);
    if (entry.method === 'initialize') this.#settleInitialize(message);
    const result = (message as { result?: { _meta?: Record<string, unknown> } }).result;
    if (result !== undefined && result._meta?.[MetaKey.subscriptionId] === backendId) {
      // A listen's closing result names its subscription too.
      entry.port.deliver({
        ...message,
        id: entry.id,
        result: { ...result, _meta: { ...result._meta, [MetaKey.subscriptionId]: entry.id } },
      });
      return;
    }
    entry.port.deliver({ ...message, id: entry.id });
  }

  #settleInitialize(message: JSONRPCMessage): void {
    const waiters = this.#initWaiters ?? [];
    this.#initWaiters = undefined;
    const result = (message as { result?: unknown }).result;
    if (typeof result === 'object' && result !== null) this.#initResult = result as Record<string, unknown>;
    for (const w of waiters) w.port.deliver({ ...message, id: w.id });
  }

  #serverRequest(message: JSONRPCRequest, related: RequestId | undefined): void {
    // A backend stage that knows which request raised this one (the era bridge) names it: exact routing.
    const owner = typeof related === 'number' ? this.#outbound.get(related) : undefined;
    const port = owner?.port ?? this.#routeServerRequest();
    if (port === undefined) {
      const error = new SwitchboardError(
        'TRANSPORT_CLOSED',
        'No client session is connected to answer this request',
      );
      this.#backend.send(errorResponse(message.id, toJsonRpcError(error))).catch(() => undefined);
      return;
    }
    const local = `switchboard-${++this.#next}`;
    this.#serverRequests.set(local, { port, backendId: message.id });
    this.#serverRequestIds.set(message.id, local);
    port.deliver({ ...message, id: local }, owner === undefined ? undefined : { relatedRequestId: owner.id });
  }

  /**
   * Where a server→client request goes. On a shared stdio backend nothing on the wire says which client
   * request a server is working on, so this is a best guess, in order: the session whose most recent
   * *call* (tools/call, prompts/get, … — not lists or ping) is still in flight; else the session with the
   * most recent request in flight; else the most recently active session. With several sessions calling
   * tools that use sampling/elicitation at the same moment the guess can be wrong: use per-session mode
   * for such servers.
   */
  #routeServerRequest(): SharedPort | undefined {
    let byCall: SharedPort | undefined;
    let byAny: SharedPort | undefined;
    for (const port of this.#ports) {
      if (port.callsInflight > 0 && (byCall === undefined || port.lastCallAt > byCall.lastCallAt))
        byCall = port;
      if (port.inflight.size > 0 && (byAny === undefined || port.lastRequestAt > byAny.lastRequestAt))
        byAny = port;
    }
    return byCall ?? byAny ?? this.#lastActive ?? [...this.#ports].at(-1);
  }

  #serverNotification(message: JSONRPCNotification): void {
    // 2026-07-28 subscriptions/listen: a notification names its subscription (the listen request's id,
    // translated here): it goes to that session only, under the session's own id.
    const subscription = message.params?._meta?.[MetaKey.subscriptionId];
    if (subscription !== undefined) {
      if (typeof subscription === 'number') this.#toSubscriber(message, subscription);
      return;
    }
    switch (message.method) {
      case 'notifications/progress': {
        const token = message.params?.progressToken;
        const entry = typeof token === 'number' ? this.#tokens.get(token) : undefined;
        if (entry?.token) {
          entry.port.deliver({
            ...message,
            params: { ...message.params, progressToken: entry.token.original },
          });
        }
        return;
      }
      case 'notifications/cancelled': {
        const id = message.params?.requestId;
        if (typeof id === 'number' && this.#toSubscriber(message, id)) return;
        const local = isRequestId(id) ? this.#serverRequestIds.get(id) : undefined;
        const entry = local === undefined ? undefined : this.#serverRequests.get(local);
        if (entry && local !== undefined) {
          this.#serverRequests.delete(local);
          this.#serverRequestIds.delete(entry.backendId);
          entry.port.deliver({ ...message, params: { ...message.params, requestId: local } });
        }
        return;
      }
      case 'notifications/resources/updated': {
        const uri = message.params?.uri;
        const subscribers = typeof uri === 'string' ? this.#subscriptions.get(uri) : undefined;
        for (const port of subscribers ?? []) port.deliver(message);
        return;
      }
      default:
        for (const port of this.#ports) port.deliver(message);
    }
  }

  /** Delivers a notification of the listen request `backendId` to its session; `false` if unknown. */
  #toSubscriber(message: JSONRPCNotification, backendId: number): boolean {
    const entry = this.#outbound.get(backendId);
    if (entry === undefined) return false;
    const params = message.params ?? {};
    const meta = params._meta;
    const restored: JSONRPCNotification = { ...message, params: { ...params } };
    if (restored.params && meta?.[MetaKey.subscriptionId] === backendId) {
      restored.params._meta = { ...meta, [MetaKey.subscriptionId]: entry.id };
    }
    if (message.method === 'notifications/cancelled' && restored.params) {
      restored.params.requestId = entry.id;
      this.#forget(backendId);
    }
    entry.port.deliver(restored);
    return true;
  }
}
