import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isNotification,
  isRequest,
  isResponse,
  isRequestId,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../protocol/messages.js';
import type { Transport } from '../transport.js';
import { InflightTable, type InflightRequest } from './inflight-table.js';

/** Options of a {@link Relay}. */
export interface RelayOptions {
  /** Deadline of a request without progress, in ms (default 60,000; 0 = no deadline). */
  requestTimeoutMs?: number | undefined;
  /** Hard cap on a request however much progress it reports, in ms (default 600,000). */
  maxRequestTimeoutMs?: number | undefined;
  /** Most client requests in flight at once (default 10,000); beyond, requests are refused. */
  maxInflight?: number | undefined;
  /** Reports failures on either side (never thrown). */
  onError?: ((error: Error, side: 'frontend' | 'backend') => void) | undefined;
  /** The relay closed (both sides are closing). */
  onClose?: (() => void) | undefined;
  /**
   * Requests already in flight at the backend when the relay starts (a session taken over from a dead
   * instance, its backend re-attached): their answers are relayed like those of requests sent here.
   */
  inflight?:
    readonly { id: RequestId; method: string; progressToken?: string | number | undefined }[] | undefined;
}

const progressTokenOf = (message: JSONRPCRequest): string | number | undefined => {
  const token = message.params?._meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
};

/**
 * Relays one client session to its backend, frame by frame: requests, responses, notifications and
 * server→client requests pass unchanged, in both directions (unknown methods and `_meta` included).
 *
 * On top it enforces deadlines: a request gets `requestTimeoutMs`, extended by each progress notification
 * for it up to `maxRequestTimeoutMs`. On expiry the backend gets `notifications/cancelled` and the client a
 * JSON-RPC timeout error; a late answer is dropped. A client's `notifications/cancelled` passes through.
 */
export class Relay {
  readonly #frontend: Transport;
  readonly #backend: Transport;
  readonly #options: RelayOptions;
  readonly #inflight: InflightTable;
  readonly #maxInflight: number;
  readonly #timeoutMs: number;
  #closed = false;
  #lastActivity = Date.now();
  #drainWaiters: (() => void)[] = [];

  /**
   * @param frontend - the client's transport (unstarted)
   * @param backend - the backend connection (unstarted), e.g. a SupervisedBackend or a shared-mode port
   */
  constructor(frontend: Transport, backend: Transport, options: RelayOptions = {}) {
    this.#frontend = frontend;
    this.#backend = backend;
    this.#options = options;
    this.#timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#maxInflight = options.maxInflight ?? 10_000;
    this.#inflight = new InflightTable(
      this.#timeoutMs,
      options.maxRequestTimeoutMs ?? 600_000,
      this.#onExpired,
    );
    for (const r of options.inflight ?? []) this.#inflight.add(r.id, r.method, r.progressToken);
  }

  /** Client requests waiting for an answer. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Time of the last message in either direction (ms since epoch), for idle expiry. */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** Wires both sides and starts them: the backend first, so the client's first message has a taker. */
  async start(): Promise<void> {
    this.#frontend.onmessage = this.#fromClient;
    this.#backend.onmessage = this.#fromServer;
    this.#frontend.onerror = (e) => this.#options.onError?.(e, 'frontend');
    this.#backend.onerror = (e) => this.#options.onError?.(e, 'backend');
    this.#frontend.onclose = () => void this.close();
    this.#backend.onclose = () => void this.close();
    await this.#backend.start();
    await this.#frontend.start();
  }

  /** Resolves when no client request is in flight (or at once). */
  drained(): Promise<void> {
    if (this.#inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Closes both sides (idempotent). Requests still in flight are answered with an error first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const left = this.#inflight.drain();
    const wire = toJsonRpcError(
      new SwitchboardError('TRANSPORT_CLOSED', 'The session ended before the backend answered'),
    );
    await Promise.allSettled(left.map((r) => this.#frontend.send(errorResponse(r.id, wire))));
    this.#notifyDrained();
    await Promise.allSettled([this.#frontend.close(), this.#backend.close()]);
    this.#options.onClose?.();
  }

  readonly #fromClient = (message: JSONRPCMessage): void => {
    this.#lastActivity = Date.now();
    if (isRequest(message)) {
      if (this.#inflight.size >= this.#maxInflight) {
        this.#answer(
          message.id,
          new SwitchboardError('BACKEND_UNAVAILABLE', `Too many requests in flight (${this.#maxInflight})`),
        );
        return;
      }
      this.#inflight.add(message.id, message.method, progressTokenOf(message));
      this.#backend.send(message).catch((error: unknown) => {
        if (this.#inflight.take(message.id)) this.#answer(message.id, error);
        this.#notifyDrained();
      });
      return;
    }
    if (isNotification(message) && message.method === 'notifications/cancelled') {
      const id = message.params?.requestId;
      if (isRequestId(id)) this.#inflight.take(id);
      this.#notifyDrained();
    }
    this.#backend
      .send(message)
      .catch((error: unknown) => this.#options.onError?.(toSwitchboardError(error), 'backend'));
  };

  readonly #fromServer = (message: JSONRPCMessage): void => {
    this.#lastActivity = Date.now();
    if (isResponse(message)) {
      // A response to a request that timed out or was cancelled is dropped: the client has its answer.
      if (message.id === undefined || !this.#inflight.take(message.id)) return;
      this.#notifyDrained();
    } else if (message.method === 'notifications/progress') {
      const token = message.params?.progressToken;
      if (typeof token === 'string' || typeof token === 'number') this.#inflight.progressed(token);
    }
    this.#frontend
      .send(message)
      .catch((error: unknown) => this.#options.onError?.(toSwitchboardError(error), 'frontend'));
  };

  readonly #onExpired = (request: InflightRequest): void => {
    const seconds = Math.round((Date.now() - request.startedAt) / 100) / 10;
    // initialize must not be cancelled (MCP lifecycle); every other request is.
    if (request.method !== 'initialize') {
      this.#backend
        .send({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: request.id, reason: `switchboard: request timed out after ${seconds} s` },
        })
        .catch(() => undefined);
    }
    this.#answer(
      request.id,
      new SwitchboardError(
        'UPSTREAM_TIMEOUT',
        `Request "${request.method}" timed out after ${seconds} s (switchboard request timeout)`,
      ),
    );
    this.#notifyDrained();
  };

  #answer(id: RequestId, error: unknown): void {
    this.#frontend.send(errorResponse(id, toJsonRpcError(error))).catch(() => undefined);
  }

  #notifyDrained(): void {
    if (this.#inflight.size > 0 || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }
}
