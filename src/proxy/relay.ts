import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isNotification,
  isRequest,
  isResponse,
  isRequestId,
  type JSONRPCMessage,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { paramOf, progressTokenOf } from '../framing/frame-message.js';
import { enableRawFrames, writesRaw } from '../framing/raw-frame-mode.js';
import { MetaKey } from '../protocol/versions.js';
import { AbandonedCalls } from './abandoned-calls.js';
import { HeldMessages } from './held-messages.js';
import { InflightTable, LISTEN, type InflightRequest } from './inflight-table.js';
import { relatedOptionsFor, sendOptionsFor } from './relay-options.js';

/** Options of a {@link Relay}. */
export interface RelayOptions {
  /** Deadline of a request without progress, in ms (default 60,000; 0 = no deadline). */
  requestTimeoutMs?: number | undefined;
  /** Hard cap on a request however much progress it reports, in ms (default 600,000). */
  maxRequestTimeoutMs?: number | undefined;
  /** Most client requests in flight at once (default 10,000); beyond, requests are refused. */
  maxInflight?: number | undefined;
  /**
   * Start the backend at the client's first message instead of in {@link Relay.start} (default false),
   * so a connection that never speaks costs no backend. Messages that arrive while it starts wait (up to
   * `maxInflight`).
   */
  lazyBackend?: boolean | undefined;
  /**
   * Lazy mode: asked at the client's first message, before the backend starts. An error refuses the
   * session: the first request is answered with it and the relay closes.
   */
  admitBackend?: (() => SwitchboardError | undefined) | undefined;
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

function noop(): void {
  // A failed send is answered on its own chain.
}

/** Notifications a per-request-stream frontend routes by themselves (token, request id, subscription). */
const SELF_ROUTED = new Set(['notifications/progress', 'notifications/cancelled']);

type BackendState = 'waiting' | 'starting' | 'started';

/**
 * Relays one client session to its backend, frame by frame: requests, responses, notifications and
 * server→client requests pass unchanged, in both directions (unknown methods and `_meta` included).
 *
 * On top it enforces deadlines: a request gets `requestTimeoutMs`, extended by each progress notification
 * for it up to `maxRequestTimeoutMs`. On expiry the backend gets `notifications/cancelled` and the client a
 * JSON-RPC timeout error; a late answer is dropped. A client's `notifications/cancelled` passes through.
 *
 * Toward a frontend that carries many requests on their own streams (`hasPerRequestStream`: the
 * 2026-07-28 HTTP transport), a backend notification that does not name its request (a log message
 * during a call) is sent with `relatedRequestId` when exactly one request can own it — one call in flight
 * and no abandoned call that may still run; otherwise it has no stream and the frontend drops it.
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
  #backendState: BackendState = 'waiting';
  /** Messages that arrived while a lazy backend started. */
  #early: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined }[] = [];
  /** Whether the frontend was offered raw frames (at the backend's first message). */
  #rawAsked = false;
  /** Per-request-stream frontends: requests that may own an unmarked notification, and abandoned ones. */
  #owners: { calls: Set<RequestId>; abandoned: AbandonedCalls<RequestId> } | undefined;

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

  /** `true` once the backend was started (at once, or at the first message in lazy mode). */
  get backendStarted(): boolean {
    return this.#backendState !== 'waiting';
  }

  /**
   * Wires both sides and starts them: the backend first, so the client's first message has a taker
   * (lazy mode: only the frontend; the backend starts at the first message).
   */
  async start(): Promise<void> {
    if (this.#frontend.hasPerRequestStream === true) {
      this.#owners = { calls: new Set(), abandoned: new AbandonedCalls() };
    }
    // A side keeps the bytes of what it reads when the other side writes them as they are: what passes
    // unchanged then goes out as it arrived. The backend may not exist yet: it is asked at its first message.
    if (writesRaw(this.#frontend)) enableRawFrames(this.#backend);
    this.#frontend.onerror = (e) => this.#options.onError?.(e, 'frontend');
    this.#backend.onerror = (e) => this.#options.onError?.(e, 'backend');
    this.#frontend.onclose = () => void this.close();
    this.#backend.onclose = () => void this.close();
    if (this.#options.lazyBackend === true) {
      // The frontend runs before the backend starts: the backend's messages go straight on.
      this.#backend.onmessage = this.#fromServer;
      this.#frontend.onmessage = this.#beforeBackend;
      await this.#frontend.start();
      return;
    }
    this.#frontend.onmessage = this.#fromClient;
    this.#backendState = 'started';
    // What the backend delivers before the frontend started — inside its own start(): an in-memory peer
    // that spoke first, a taken-over queue connection draining stored answers — waits for the frontend,
    // which refuses to send before its start.
    const held = new HeldMessages(this.#maxInflight, () =>
      this.#options.onError?.(
        new SwitchboardError(
          'BUFFER_BUDGET_EXCEEDED',
          `The backend sent more than ${this.#maxInflight} messages before the client side started; the rest were dropped`,
        ),
        'backend',
      ),
    );
    this.#backend.onmessage = held.hold;
    await this.#backend.start();
    await this.#frontend.start();
    this.#backend.onmessage = this.#fromServer;
    held.release(this.#fromServer, (error) => this.#options.onError?.(toSwitchboardError(error), 'backend'));
  }

  /**
   * Resolves when no client request is in flight (or at once); `subscriptions/listen` streams do not
   * count (they end with the client or the session).
   */
  drained(): Promise<void> {
    if (this.#inflight.awaitedSize === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Closes both sides (idempotent). Requests still in flight are answered with an error first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const left: RequestId[] = this.#inflight.drain().map((r) => r.id);
    for (const { message: m } of this.#early) if (isRequest(m)) left.push(m.id);
    this.#early = [];
    const wire = toJsonRpcError(
      new SwitchboardError('TRANSPORT_CLOSED', 'The session ended before the backend answered'),
    );
    await Promise.allSettled(left.map((id) => this.#frontend.send(errorResponse(id, wire))));
    this.#notifyDrained();
    const backendClosed = this.#backendState === 'waiting' ? undefined : this.#backend.close();
    await Promise.allSettled([this.#frontend.close(), backendClosed]);
    this.#options.onClose?.();
  }

  /** Lazy mode: the client's messages before the backend runs. The first one starts it. */
  readonly #beforeBackend = (message: JSONRPCMessage, extra?: MessageExtraInfo): void => {
    this.#lastActivity = Date.now();
    if (this.#closed) return;
    if (this.#backendState === 'waiting') {
      const refusal = this.#options.admitBackend?.();
      if (refusal !== undefined) {
        this.#refuse(message, refusal);
        return;
      }
      this.#backendState = 'starting';
      this.#backend.start().then(this.#backendReady, (error: unknown) => {
        this.#options.onError?.(toSwitchboardError(error, 'CONNECTION_FAILED'), 'backend');
        void this.close();
      });
    }
    if (this.#early.length >= this.#maxInflight) {
      if (isRequest(message))
        this.#answer(message.id, new SwitchboardError('BACKEND_UNAVAILABLE', 'The backend is starting'));
      return;
    }
    this.#early.push({ message, extra });
  };

  readonly #backendReady = (): void => {
    if (this.#closed) return;
    this.#backendState = 'started';
    const early = this.#early;
    this.#early = [];
    for (const { message, extra } of early) this.#fromClient(message, extra);
    this.#frontend.onmessage = this.#fromClient;
  };

  #refuse(message: JSONRPCMessage, error: SwitchboardError): void {
    this.#closed = true;
    const answered = isRequest(message)
      ? this.#frontend.send(errorResponse(message.id, toJsonRpcError(error)))
      : Promise.resolve();
    void answered
      .catch(() => undefined)
      .finally(() => {
        this.#frontend
          .close()
          .catch(() => undefined)
          .finally(() => this.#options.onClose?.());
      });
  }

  readonly #fromClient = (message: JSONRPCMessage, extra?: MessageExtraInfo): void => {
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
      if (this.#owners && message.method !== LISTEN) this.#owners.calls.add(message.id);
      const sent = this.#backend.send(message, sendOptionsFor(message, extra));
      const forwarded = extra?.onForwarded;
      if (forwarded !== undefined) sent.then(() => forwarded(message.id), noop);
      sent.catch((error: unknown) => {
        if (this.#taken(message.id)) this.#answer(message.id, error);
        this.#notifyDrained();
      });
      return;
    }
    if (isNotification(message) && message.method === 'notifications/cancelled') {
      const id = paramOf(message, 'requestId');
      if (isRequestId(id)) {
        // The server may go on with a cancelled call for a while: it stays a possible owner.
        const call = this.#owners?.calls.has(id) === true;
        if (this.#taken(id) && call) this.#owners?.abandoned.add(id, id);
      }
      this.#notifyDrained();
    }
    this.#backend
      .send(message, sendOptionsFor(message, extra))
      .catch((error: unknown) => this.#options.onError?.(toSwitchboardError(error), 'backend'));
  };

  readonly #fromServer = (message: JSONRPCMessage, extra?: MessageExtraInfo): void => {
    this.#lastActivity = Date.now();
    if (!this.#rawAsked) {
      this.#rawAsked = true;
      if (writesRaw(this.#backend)) enableRawFrames(this.#frontend);
    }
    // A backend stage that knows which client request a message belongs to (the era bridge) says so.
    let options: TransportSendOptions | undefined = relatedOptionsFor(extra);
    if (isResponse(message)) {
      // A response to a request that timed out or was cancelled is dropped: the client has its answer.
      if (message.id === undefined) return;
      if (!this.#taken(message.id)) {
        this.#owners?.abandoned.settle(message.id);
        return;
      }
      this.#notifyDrained();
    } else if (message.method === 'notifications/progress') {
      const token = paramOf(message, 'progressToken');
      if (typeof token === 'string' || typeof token === 'number') this.#inflight.progressed(token);
    } else if (
      options === undefined &&
      this.#owners &&
      !isRequest(message) &&
      !SELF_ROUTED.has(message.method) &&
      // A listen's notification names its subscription: the frontend routes it by that id. Handed to
      // the one call in flight, it would go out on that call's stream with an id its client does not know.
      message.params?._meta?.[MetaKey.subscriptionId] === undefined
    ) {
      const owner = this.#soleOwner();
      if (owner !== undefined) options = { relatedRequestId: owner };
    }
    this.#frontend
      .send(message, options)
      .catch((error: unknown) => this.#options.onError?.(toSwitchboardError(error), 'frontend'));
  };

  /** Removes a request from the in-flight table; `true` when it was there. */
  #taken(id: RequestId): boolean {
    if (this.#inflight.take(id) === undefined) return false;
    this.#owners?.calls.delete(id);
    return true;
  }

  /** The one request an unmarked notification can belong to, if there is exactly one. */
  #soleOwner(): RequestId | undefined {
    const owners = this.#owners;
    if (owners === undefined || owners.calls.size !== 1) return undefined;
    const now = Date.now();
    if (owners.abandoned.uncertain(now) || owners.abandoned.owners(now).size > 0) return undefined;
    return owners.calls.values().next().value;
  }

  readonly #onExpired = (request: InflightRequest): void => {
    const seconds = Math.round((Date.now() - request.startedAt) / 100) / 10;
    if (this.#owners?.calls.delete(request.id)) this.#owners.abandoned.add(request.id, request.id);
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
    if (this.#inflight.awaitedSize > 0 || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }
}
