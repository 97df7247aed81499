import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isRequest,
  isResponse,
  type JSONRPCErrorObject,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import type { Transport } from '../transport.js';
import { LEGACY_PROTOCOL_VERSION } from './era-meta.js';

/** Who gets the answer (and the progress) of one request on a legacy session. */
export interface SessionExchange {
  /** The final response (result or error). */
  settle(response: { result?: Record<string, unknown>; error?: JSONRPCErrorObject }): void;
  /** A `notifications/progress` for this request (token already restored by the caller's choice). */
  progress?(params: MessageParams): void;
}

/** What a legacy session reports to its owner. */
export interface LegacySessionEvents {
  /** A server→client request (elicitation, sampling, roots, …) raised on this session. */
  serverRequest(session: LegacySession, request: JSONRPCRequest): void;
  /** A notification other than progress (log, list changed, resource updated, cancelled, …). */
  notification(session: LegacySession, notification: JSONRPCNotification): void;
  /** The connection ended (backend exit, network loss): everything in flight has been failed. */
  closed(session: LegacySession): void;
}

/** The client facts a proxy-owned session is initialized with. */
export interface SessionIdentity {
  capabilities: Record<string, unknown>;
  clientInfo: { name: string; version: string; [key: string]: unknown };
}

/** Most requests in flight on one session. */
const MAX_EXCHANGES = 10_000;

/**
 * One 2025-era session the proxy owns on behalf of 2026-07-28 clients: it initializes the backend with
 * the clients' capabilities and identity, numbers its own requests (progress tokens are the request
 * ids, so they never collide between callers sharing the session), and hands server→client requests
 * and notifications to its owner. At most one *call* (a request that can raise server→client requests)
 * runs on it at a time — see {@link callSlot} — so such a request is attributed to exactly that call.
 */
export class LegacySession {
  readonly key: string;
  readonly #transport: Transport;
  readonly #events: LegacySessionEvents;
  readonly #exchanges = new Map<number, SessionExchange>();
  #next = 0;
  #ready: Promise<Record<string, unknown>> | undefined;
  #closed = false;
  #logLevel: string | undefined;
  /** The call that owns the session's call slot, if any (set and cleared by the pool's user). */
  callSlot: object | undefined;
  /** Open `subscriptions/listen` streams that rely on this session's subscriptions (never idle-closed then). */
  listeners = 0;
  /** When the session last carried traffic (for idle reclamation). */
  lastUsed = Date.now();
  /** The `initialize` result, once ready. */
  initResult: Record<string, unknown> | undefined;

  /**
   * @param key - the pool key (scope, principal, capabilities)
   * @param transport - a fresh, unstarted connection to the backend
   * @param events - where server requests, notifications and the end of the session go
   */
  constructor(key: string, transport: Transport, events: LegacySessionEvents) {
    this.key = key;
    this.#transport = transport;
    this.#events = events;
    transport.onmessage = (m) => this.#receive(m);
    transport.onclose = () =>
      this.#lost(new SwitchboardError('TRANSPORT_CLOSED', 'The backend session ended'));
    transport.onerror = () => undefined;
  }

  /** `true` once the connection ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests in flight. */
  get inflight(): number {
    return this.#exchanges.size;
  }

  /**
   * Connects and runs the 2025 handshake once (`initialize`, then `notifications/initialized`).
   *
   * @returns the `initialize` result
   * @throws SwitchboardError when the backend refuses or cannot be reached
   */
  ready(identity: SessionIdentity): Promise<Record<string, unknown>> {
    this.#ready ??= this.#initialize(identity);
    return this.#ready;
  }

  async #initialize(identity: SessionIdentity): Promise<Record<string, unknown>> {
    try {
      await this.#transport.start();
    } catch (error) {
      this.#lost(toSwitchboardError(error, 'CONNECTION_FAILED'));
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
    const response = await new Promise<{ result?: Record<string, unknown>; error?: JSONRPCErrorObject }>(
      (resolve) =>
        this.request(
          'initialize',
          {
            protocolVersion: LEGACY_PROTOCOL_VERSION,
            capabilities: identity.capabilities,
            clientInfo: identity.clientInfo,
          },
          { settle: resolve },
        ),
    );
    if (response.result === undefined) {
      const message = response.error?.message ?? 'no result';
      void this.close();
      throw new SwitchboardError('BACKEND_UNAVAILABLE', `The backend refused initialize: ${message}`);
    }
    this.initResult = response.result;
    await this.#transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return response.result;
  }

  /**
   * Sends a request; `exchange` gets its answer (an error answer when the session fails or is full).
   *
   * @returns the session-local request id (also the progress token, when `withProgress`)
   */
  request(
    method: string,
    params: MessageParams | undefined,
    exchange: SessionExchange,
    withProgress = false,
  ): number {
    const id = ++this.#next;
    this.lastUsed = Date.now();
    if (this.#closed || this.#exchanges.size >= MAX_EXCHANGES) {
      const error = this.#closed
        ? new SwitchboardError('TRANSPORT_CLOSED', 'The backend session ended')
        : new SwitchboardError('BACKEND_UNAVAILABLE', `${MAX_EXCHANGES} requests in flight on one session`);
      queueMicrotask(() => exchange.settle({ error: toJsonRpcError(error) }));
      return id;
    }
    this.#exchanges.set(id, exchange);
    let sent = params;
    if (withProgress) sent = { ...params, _meta: { ...params?._meta, progressToken: id } };
    const message: JSONRPCRequest = { jsonrpc: '2.0', id, method };
    if (sent !== undefined) message.params = sent;
    this.#transport.send(message).catch((error: unknown) => {
      if (this.#exchanges.delete(id)) exchange.settle({ error: toJsonRpcError(error) });
    });
    return id;
  }

  /** Cancels a request of this session (its answer, if any, is dropped). */
  cancel(id: number, reason: string): void {
    if (!this.#exchanges.delete(id) || this.#closed) return;
    this.notify('notifications/cancelled', { requestId: id, reason });
  }

  /** Answers a server→client request. */
  answer(id: RequestId, outcome: { result: Record<string, unknown> } | { error: unknown }): void {
    if (this.#closed) return;
    this.lastUsed = Date.now();
    const message: JSONRPCMessage =
      'result' in outcome
        ? { jsonrpc: '2.0', id, result: outcome.result }
        : errorResponse(id, toJsonRpcError(outcome.error));
    this.#transport.send(message).catch(() => undefined);
  }

  /** Sends a notification to the backend. */
  notify(method: string, params?: MessageParams): void {
    if (this.#closed) return;
    const message: JSONRPCNotification = { jsonrpc: '2.0', method };
    if (params !== undefined) message.params = params;
    this.#transport.send(message).catch(() => undefined);
  }

  /**
   * Makes the session's log level `level` (`logging/setLevel`, sent only when it changes and the server
   * logs at all). Sent ahead of the request it serves, on the same ordered connection.
   */
  ensureLogLevel(level: string): void {
    const caps = this.initResult?.capabilities as { logging?: unknown } | undefined;
    if (this.#logLevel === level || caps?.logging === undefined) return;
    this.#logLevel = level;
    this.request('logging/setLevel', { level }, { settle: () => undefined });
  }

  /** Ends the session (idempotent). */
  close(): Promise<void> {
    this.#lost(new SwitchboardError('TRANSPORT_CLOSED', 'The backend session was closed'));
    return this.#transport.close().catch(() => undefined);
  }

  #receive(message: JSONRPCMessage): void {
    this.lastUsed = Date.now();
    try {
      if (isResponse(message)) {
        const id = message.id;
        const exchange = typeof id === 'number' ? this.#exchanges.get(id) : undefined;
        if (exchange === undefined) return;
        this.#exchanges.delete(id as number);
        if ('error' in message) exchange.settle({ error: message.error as JSONRPCErrorObject });
        else exchange.settle({ result: (message as { result: Record<string, unknown> }).result });
        return;
      }
      if (isRequest(message)) {
        this.#events.serverRequest(this, message);
        return;
      }
      if (message.method === 'notifications/progress') {
        const token = message.params?.progressToken;
        const exchange = typeof token === 'number' ? this.#exchanges.get(token) : undefined;
        if (exchange?.progress && message.params) exchange.progress(message.params);
        return;
      }
      this.#events.notification(this, message);
    } catch {
      // An owner's handler must not break the session; it reports its own failures.
    }
  }

  #lost(error: SwitchboardError): void {
    if (this.#closed) return;
    this.#closed = true;
    const left = [...this.#exchanges.values()];
    this.#exchanges.clear();
    const wire = toJsonRpcError(error);
    for (const exchange of left) exchange.settle({ error: wire });
    this.#events.closed(this);
  }
}
