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
import { progressTokenOf, resultHas, withFrameId } from '../framing/frame-message.js';
import { enableRawFrames, writesRaw } from '../framing/raw-frame-mode.js';
import { MetaKey } from '../protocol/versions.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { AbandonedCalls } from './abandoned-calls.js';
import { BoundedMap } from './bounded-map.js';
import { SharedPort, type PortOwner } from './shared-port.js';
import {
  canCallBack,
  elicitationIdOf,
  isBroadcast,
  REFUSALS,
  relatedTaskOf,
  taskIdOf,
  TASK_REQUESTS,
  type DropReason,
  type SharedBackendOptions,
} from './shared-routing.js';

export type { DropReason, SharedBackendOptions } from './shared-routing.js';

interface Outbound {
  port: SharedPort;
  id: RequestId;
  method: string;
  /** Whether the request can make the server call back (see {@link canCallBack}). */
  call: boolean;
  token?: { backend: number; original: string | number } | undefined;
  /** A `resources/subscribe` for this URI: recorded once the backend confirms it. */
  subscribe?: string | undefined;
}

interface ServerRequest {
  port: SharedPort;
  backendId: RequestId;
}

/**
 * One backend shared by many client sessions (`--session-mode shared`).
 *
 * - Request ids are translated per (session, id) so answers never cross sessions; progress tokens and
 *   `notifications/cancelled` request ids are mapped the same way.
 * - The backend is initialized once, by the first session; later sessions get the cached result and
 *   their `notifications/initialized` is not repeated.
 * - **Nothing reaches a session it does not belong to.** A server→client request (sampling,
 *   elicitation, roots) or a call-related notification (log messages, task status, elicitation complete)
 *   goes to its owner when the owner is certain: named by the message (task id, elicitation id, related
 *   task), or the only session with a call in flight that can call back — counting calls its client
 *   abandoned that the server may still run (for `abandonedCallTtlMs`). When several sessions could own
 *   it, a server→client request is refused back to the backend with an error (the call that raised it
 *   fails with a clear message) and a notification is dropped (`onDropped`). Server `ping`s are answered
 *   here.
 * - Session-less notifications (`…/list_changed`) go to every session; `resources/updated` only to
 *   sessions that subscribed to that URI.
 * - A closing session's requests are cancelled at the backend, and server→client requests routed to it
 *   are answered with an error. Every table is bounded (see the options).
 */
export class SharedBackend implements PortOwner {
  readonly #backend: Transport;
  readonly #o: SharedBackendOptions;
  readonly #maxEntries: number;
  readonly #ports = new Set<SharedPort>();
  /** Sessions with calls in flight that can call back. */
  readonly #calling = new Set<SharedPort>();
  readonly #outbound = new Map<number, Outbound>();
  readonly #tokens = new Map<number, Outbound>();
  readonly #serverRequests = new Map<string, ServerRequest>();
  readonly #serverRequestIds = new Map<RequestId, string>();
  readonly #subscriptions = new Map<string, Set<SharedPort>>();
  readonly #abandoned: AbandonedCalls<SharedPort>;
  /** Tasks the server created for a session's request, and tasks a session created for a server request. */
  readonly #serverTasks: BoundedMap<string, SharedPort>;
  readonly #clientTasks: BoundedMap<string, SharedPort>;
  readonly #elicitations: BoundedMap<string, SharedPort>;
  #subscriptionCount = 0;
  #dropped = 0;
  #next = 0;
  #started: Promise<void> | undefined;
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
    this.#o = options;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#abandoned = new AbandonedCalls({ ttlMs: options.abandonedCallTtlMs, max: 10_000 });
    const records = options.maxOwnershipRecords ?? 10_000;
    this.#serverTasks = new BoundedMap(records);
    this.#clientTasks = new BoundedMap(records);
    this.#elicitations = new BoundedMap(records);
    backend.onmessage = (m, extra) => this.#fromBackend(m, extra);
    backend.onerror = (e) => this.#o.onError?.(e);
    // What the backend sends keeps its bytes: an answer whose only change is its id is spliced, not rebuilt.
    enableRawFrames(backend);
  }

  /** Sessions attached. */
  get sessionCount(): number {
    return this.#ports.size;
  }

  /** Requests in flight across all sessions. */
  get inflightCount(): number {
    return this.#outbound.size;
  }

  /** Backend messages that reached no session (refused server requests, dropped notifications). */
  get droppedCount(): number {
    return this.#dropped;
  }

  /** Sizes of the internal tables (for tests and metrics): every one of them is bounded. */
  get tableSizes(): Record<string, number> {
    return {
      outbound: this.#outbound.size,
      tokens: this.#tokens.size,
      serverRequests: this.#serverRequests.size,
      serverRequestIds: this.#serverRequestIds.size,
      subscriptions: this.#subscriptionCount,
      subscribedUris: this.#subscriptions.size,
      abandoned: this.#abandoned.size,
      tasks: this.#serverTasks.size + this.#clientTasks.size,
      elicitations: this.#elicitations.size,
    };
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
    if (isRequest(message)) return this.#request(port, message, options);
    if (isResponse(message)) return this.#clientAnswer(port, message);
    return this.#notification(port, message);
  }

  /** Whether the backend connection writes framed messages as their bytes. */
  writesRaw(): boolean {
    return writesRaw(this.#backend);
  }

  closePort(port: SharedPort): void {
    this.#ports.delete(port);
    for (const backendId of port.inflight) {
      // An initialize in flight stays: its answer initializes the backend for the other sessions.
      if (this.#outbound.get(backendId)?.method === 'initialize') continue;
      this.#forget(backendId, true);
      this.#backend
        .send({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: backendId, reason: 'client session closed' },
        })
        .catch(() => undefined);
    }
    this.#calling.delete(port);
    for (const uri of port.subscriptions) this.#unsubscribe(port, uri);
    if (port.serverRequests === 0) return;
    for (const [local, entry] of this.#serverRequests) {
      if (entry.port !== port) continue;
      this.#settleServerRequest(local, entry);
      this.#refuseServerRequest(entry.backendId, 'The client session this request was routed to closed');
    }
  }

  #request(port: SharedPort, message: JSONRPCRequest, options?: TransportSendOptions): Promise<void> {
    if (message.method === 'initialize' && (this.#initResult || this.#initWaiters)) {
      if (this.#initResult) port.deliver({ jsonrpc: '2.0', id: message.id, result: this.#initResult });
      else this.#initWaiters?.push({ port, id: message.id });
      return Promise.resolve();
    }
    const refusal = this.#refusal(port, message);
    if (refusal !== undefined) {
      port.deliver(errorResponse(message.id, toJsonRpcError(refusal)));
      return Promise.resolve();
    }
    if (message.method === 'initialize') this.#initWaiters = [];
    if (message.method === 'resources/unsubscribe' && typeof message.params?.uri === 'string') {
      this.#unsubscribe(port, message.params.uri);
    }
    const backendId = ++this.#next;
    const original = progressTokenOf(message);
    const call = canCallBack(message.method);
    const entry: Outbound = { port, id: message.id, method: message.method, call };
    if (message.method === 'resources/subscribe' && typeof message.params?.uri === 'string') {
      entry.subscribe = message.params.uri;
    }
    let params: JSONRPCRequest['params'];
    if (original !== undefined) {
      const token = ++this.#next;
      entry.token = { backend: token, original };
      this.#tokens.set(token, entry);
      const given = message.params as NonNullable<JSONRPCRequest['params']>;
      params = { ...given, _meta: { ...given._meta, progressToken: token } };
    }
    this.#outbound.set(backendId, entry);
    port.inflight.add(backendId);
    port.byOriginalId.set(message.id, backendId);
    port.lastRequestAt = Date.now();
    if (call) {
      if (port.callsInflight++ === 0) this.#calling.add(port);
      port.lastCallAt = port.lastRequestAt;
    }
    // Only the id changes (no progress token to translate): the frame goes on with the id bytes spliced.
    const translated: JSONRPCRequest =
      original === undefined ? withFrameId(message, backendId) : { ...message, id: backendId, params };
    // Per-message HTTP headers (Mcp-Param-*) travel on; who the caller is stays with the session.
    const forward = options?.headers === undefined ? undefined : { headers: options.headers };
    return this.#backend.send(translated, forward).catch((error: unknown) => {
      this.#forget(backendId, false);
      throw toSwitchboardError(error);
    });
  }

  /** Why a session's request is answered here instead of reaching the backend, if it is. */
  #refusal(port: SharedPort, message: JSONRPCRequest): SwitchboardError | undefined {
    if (this.#outbound.size >= this.#maxEntries) {
      return new SwitchboardError(
        'BACKEND_UNAVAILABLE',
        `Shared backend has ${this.#maxEntries} requests in flight`,
      );
    }
    if (TASK_REQUESTS.has(message.method)) {
      const taskId = taskIdOf(message.params);
      const owner = taskId === undefined ? undefined : this.#serverTasks.get(taskId);
      if (owner !== undefined && owner !== port) {
        return new SwitchboardError('FORBIDDEN', 'Unknown task: it belongs to another session');
      }
    }
    if (message.method === 'resources/subscribe' && !port.subscriptions.has(String(message.params?.uri))) {
      const perSession = this.#o.maxSubscriptionsPerSession ?? 1000;
      const total = this.#o.maxSubscriptions ?? 100_000;
      if (port.subscriptions.size >= perSession || this.#subscriptionCount >= total) {
        return new SwitchboardError(
          'RATE_LIMITED',
          `Too many resource subscriptions (max ${port.subscriptions.size >= perSession ? `${perSession} per session` : total})`,
        );
      }
    }
    return undefined;
  }

  #notification(port: SharedPort, message: JSONRPCNotification): Promise<void> {
    if (message.method === 'notifications/initialized') {
      if (this.#initializedSent) return Promise.resolve();
      this.#initializedSent = true;
    } else if (message.method === 'notifications/cancelled') {
      const original = message.params?.requestId;
      const backendId = isRequestId(original) ? port.byOriginalId.get(original) : undefined;
      if (backendId === undefined) return Promise.resolve();
      this.#forget(backendId, true);
      return this.#backend.send({ ...message, params: { ...message.params, requestId: backendId } });
    }
    return this.#backend.send(message);
  }

  /** A session answers a server→client request routed to it. */
  #clientAnswer(port: SharedPort, message: JSONRPCMessage): Promise<void> {
    const local = message.id;
    const entry = typeof local === 'string' ? this.#serverRequests.get(local) : undefined;
    if (entry === undefined || entry.port !== port) return Promise.resolve(); // unknown or not this session's
    this.#settleServerRequest(local as string, entry);
    const taskId = taskIdOf((message as { result?: { task?: unknown } }).result?.task);
    if (taskId !== undefined) this.#clientTasks.set(taskId, port);
    return this.#backend.send({ ...message, id: entry.backendId });
  }

  #settleServerRequest(local: string, entry: ServerRequest): void {
    this.#serverRequests.delete(local);
    this.#serverRequestIds.delete(entry.backendId);
    entry.port.serverRequests--;
  }

  #unsubscribe(port: SharedPort, uri: string): void {
    if (!port.subscriptions.delete(uri)) return;
    this.#subscriptionCount--;
    const set = this.#subscriptions.get(uri);
    set?.delete(port);
    if (set?.size === 0) this.#subscriptions.delete(uri);
  }

  /** Drops a request's translation; `abandoned` when its client stopped waiting (it may still run). */
  #forget(backendId: number, abandoned: boolean): void {
    const entry = this.#outbound.get(backendId);
    if (!entry) return;
    this.#outbound.delete(backendId);
    if (entry.token) this.#tokens.delete(entry.token.backend);
    const port = entry.port;
    port.inflight.delete(backendId);
    if (entry.call) {
      if (--port.callsInflight === 0) this.#calling.delete(port);
      if (abandoned) this.#abandoned.add(backendId, port);
    }
    if (port.byOriginalId.get(entry.id) === backendId) port.byOriginalId.delete(entry.id);
  }

  #fromBackend(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    try {
      if (isResponse(message)) this.#response(message);
      else if (isRequest(message)) this.#serverRequest(message, extra?.relatedRequestId);
      else this.#serverNotification(message);
    } catch (error) {
      this.#o.onError?.(toSwitchboardError(error));
    }
  }

  #response(message: JSONRPCMessage & { id?: RequestId | undefined }): void {
    const backendId = message.id;
    const entry = typeof backendId === 'number' ? this.#outbound.get(backendId) : undefined;
    if (entry === undefined) {
      // Cancelled, timed out, or its session left: the server finished it after all.
      if (backendId !== undefined) this.#abandoned.settle(backendId);
      return;
    }
    this.#forget(backendId as number, false);
    if (entry.method === 'initialize') this.#settleInitialize(message);
    if (entry.method !== 'tasks/list' && !resultHas(message, 'task') && !resultHas(message, '_meta')) {
      // Nothing in the result to look at: only the id changes (spliced into the frame when there is one).
      if (entry.subscribe !== undefined && 'result' in message) this.#subscribe(entry.port, entry.subscribe);
      entry.port.deliver(withFrameId(message as JSONRPCMessage & { id: RequestId }, entry.id));
      return;
    }
    const result = (message as { result?: Record<string, unknown> }).result;
    if (result !== undefined) {
      const taskId = taskIdOf(result.task);
      if (taskId !== undefined) this.#serverTasks.set(taskId, entry.port);
      if (entry.subscribe !== undefined) this.#subscribe(entry.port, entry.subscribe);
      if (entry.method === 'tasks/list' && Array.isArray(result.tasks)) {
        const own = result.tasks.filter((t) => this.#serverTasks.get(taskIdOf(t) ?? '') === entry.port);
        entry.port.deliver({ ...message, id: entry.id, result: { ...result, tasks: own } });
        return;
      }
      const meta = result._meta as Record<string, unknown> | undefined;
      if (meta?.[MetaKey.subscriptionId] === backendId) {
        // A 2026-07-28 listen's closing result names its subscription too.
        entry.port.deliver({
          ...message,
          id: entry.id,
          result: { ...result, _meta: { ...meta, [MetaKey.subscriptionId]: entry.id } },
        });
        return;
      }
    }
    entry.port.deliver({ ...message, id: entry.id });
  }

  #subscribe(port: SharedPort, uri: string): void {
    if (port.closed || port.subscriptions.has(uri)) return;
    port.subscriptions.add(uri);
    this.#subscriptionCount++;
    let set = this.#subscriptions.get(uri);
    if (!set) this.#subscriptions.set(uri, (set = new Set()));
    set.add(port);
  }

  #settleInitialize(message: JSONRPCMessage): void {
    const waiters = this.#initWaiters ?? [];
    this.#initWaiters = undefined;
    const result = (message as { result?: unknown }).result;
    if (typeof result === 'object' && result !== null) this.#initResult = result as Record<string, unknown>;
    for (const w of waiters) w.port.deliver({ ...message, id: w.id });
  }

  #serverRequest(message: JSONRPCRequest, related: RequestId | undefined): void {
    if (message.method === 'ping') {
      this.#backend.send({ jsonrpc: '2.0', id: message.id, result: {} }).catch(() => undefined);
      return;
    }
    const params = message.params;
    const taskId = taskIdOf(params);
    const relatedTask = relatedTaskOf(params);
    // A backend stage that knows which request raised this one (the era bridge) names it: exact routing.
    const raisedBy = typeof related === 'number' ? this.#outbound.get(related) : undefined;
    const named =
      raisedBy?.port ??
      (taskId !== undefined ? this.#clientTasks.get(taskId) : undefined) ??
      (relatedTask !== undefined ? this.#serverTasks.get(relatedTask) : undefined);
    const port = named ?? this.#soleOwner();
    const reason = this.#undeliverable(port);
    if (reason !== undefined) {
      this.#drop({ method: message.method, kind: 'request', reason });
      this.#refuseServerRequest(message.id, REFUSALS[reason]);
      return;
    }
    const target = port as SharedPort;
    const perSession = this.#o.maxServerRequestsPerSession ?? 1000;
    if (
      this.#serverRequests.size >= (this.#o.maxServerRequests ?? 10_000) ||
      target.serverRequests >= perSession
    ) {
      this.#drop({ method: message.method, kind: 'request', reason: 'limit' });
      this.#refuseServerRequest(message.id, REFUSALS.limit);
      return;
    }
    const local = `switchboard-${++this.#next}`;
    this.#serverRequests.set(local, { port: target, backendId: message.id });
    this.#serverRequestIds.set(message.id, local);
    target.serverRequests++;
    const elicitation = elicitationIdOf(message);
    if (elicitation !== undefined) this.#elicitations.set(elicitation, target);
    target.deliver(
      { ...message, id: local },
      raisedBy === undefined ? undefined : { relatedRequestId: raisedBy.id },
    );
  }

  #drop(info: { method: string; kind: 'request' | 'notification'; reason: DropReason }): void {
    this.#dropped++;
    this.#o.onDropped?.(info);
  }

  #undeliverable(port: SharedPort | undefined): DropReason | undefined {
    if (port === undefined) return this.#ports.size === 0 ? 'no-session' : 'ambiguous';
    return port.closed ? 'session-closed' : undefined;
  }

  #refuseServerRequest(backendId: RequestId, message: string): void {
    const error = new SwitchboardError('TRANSPORT_CLOSED', message);
    this.#backend.send(errorResponse(backendId, toJsonRpcError(error))).catch(() => undefined);
  }

  /**
   * The one session a message without an explicit relation can belong to: the only session with calls
   * in flight that can call back (abandoned calls that may still run included), or, when nobody is
   * calling, the only session connected. `undefined` when that is not exactly one.
   */
  #soleOwner(): SharedPort | undefined {
    const now = Date.now();
    if (this.#abandoned.size === 0) {
      if (this.#calling.size === 1) return this.#calling.values().next().value;
      if (this.#calling.size === 0 && this.#ports.size === 1) return this.#ports.values().next().value;
      return undefined;
    }
    if (this.#abandoned.uncertain(now)) return undefined;
    const candidates = this.#abandoned.owners(now);
    for (const port of this.#calling) candidates.add(port);
    if (candidates.size === 1) return candidates.values().next().value;
    if (candidates.size === 0 && this.#ports.size === 1) return this.#ports.values().next().value;
    return undefined;
  }

  #serverNotification(message: JSONRPCNotification): void {
    // 2026-07-28 subscriptions/listen: a notification names its subscription (the listen request's id,
    // translated here): it goes to that session only, under the session's own id.
    const subscription = message.params?._meta?.[MetaKey.subscriptionId];
    if (subscription !== undefined) {
      if (typeof subscription !== 'number' || !this.#toSubscriber(message, subscription)) {
        this.#drop({ method: message.method, kind: 'notification', reason: 'no-session' });
      }
      return;
    }
    const method = message.method;
    switch (method) {
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
          this.#settleServerRequest(local, entry);
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
        if (isBroadcast(method)) {
          for (const port of this.#ports) port.deliver(message);
          return;
        }
        this.#toOwner(message);
    }
  }

  /** A call-related notification: to the session it names or the sole possible owner, else dropped. */
  #toOwner(message: JSONRPCNotification): void {
    const params = message.params;
    let named: SharedPort | undefined;
    let certain = false;
    if (message.method === 'notifications/elicitation/complete') {
      const id = params?.elicitationId;
      if (typeof id === 'string') {
        named = this.#elicitations.get(id);
        this.#elicitations.delete(id);
        certain = true;
      }
    } else if (message.method === 'notifications/tasks/status') {
      const taskId = taskIdOf(params);
      if (taskId !== undefined) {
        named = this.#serverTasks.get(taskId) ?? this.#clientTasks.get(taskId);
        certain = true;
      }
    }
    const relatedTask = relatedTaskOf(params);
    if (named === undefined && relatedTask !== undefined) {
      named = this.#serverTasks.get(relatedTask) ?? this.#clientTasks.get(relatedTask);
      certain = true;
    }
    // A message that names its task or elicitation never falls back to a guess: the name is the truth.
    const port = certain ? named : this.#soleOwner();
    const reason = this.#undeliverable(port);
    if (reason !== undefined) {
      this.#drop({ method: message.method, kind: 'notification', reason });
      return;
    }
    (port as SharedPort).deliver(message);
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
      this.#forget(backendId, false);
    }
    entry.port.deliver(restored);
    return true;
  }
}
