import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { paramOf, withFrameId } from '../framing/frame-message.js';
import {
  enableRawFrames,
  RAW_FRAMES,
  RAW_WRITES,
  widerScope,
  writesRaw,
  type RawFrameScope,
} from '../framing/raw-frame-mode.js';
import { RestartPolicy, type RestartPolicyOptions } from './restart-policy.js';

/**
 * What happened to a supervised backend, for logs, metrics and readiness.
 *
 * `started` means the backend proved it works: it sent its first message (its first answer), or, after a
 * restart, its re-initialize succeeded. `exited` and `gave-up` carry the full cause (a child's exit status
 * and stderr: operator-only) and the `incident` id that clients received instead of it. `wasReady` is
 * `false` for a backend that exited before it proved it works (a failed start).
 */
export type BackendEvent =
  | { type: 'started'; attempt: number }
  | {
      type: 'exited';
      error: SwitchboardError;
      uptimeMs: number;
      inflight: number;
      incident: string;
      wasReady: boolean;
    }
  | { type: 'restarting'; delayMs: number; attempt: number }
  | { type: 'gave-up'; error: SwitchboardError; attempts: number; incident: string }
  | { type: 'reinitialized' };

/** Options of {@link SupervisedBackend}. */
export interface SupervisedBackendOptions {
  /** Creates a fresh, unstarted connection to the backend (spawns the child, opens the socket). */
  connect: () => Transport;
  /** Restart delays and give-up rule. */
  restart?: RestartPolicyOptions | undefined;
  /** Messages held while the backend (re)starts (default 1,000); beyond that sends reject. */
  maxQueuedMessages?: number | undefined;
  /** How long a re-initialize after a restart may take, in ms (default 30,000). */
  reinitializeTimeoutMs?: number | undefined;
  /** Lifecycle events. */
  onEvent?: ((event: BackendEvent) => void) | undefined;
}

type State = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'closed';

const REINIT_ID_PREFIX = 'switchboard-reinitialize-';

/** A short random id that ties what a client was told to the log line with the cause. */
export const newIncidentId = (): string => globalThis.crypto.randomUUID().slice(0, 8);

/**
 * A backend connection that survives its backend: when the child dies (or the socket drops), every
 * request in flight is answered at once with a JSON-RPC error carrying an incident id (the cause itself —
 * exit status, stderr — goes to {@link SupervisedBackendOptions.onEvent} for the logs, never to clients),
 * the backend is restarted with exponential backoff and jitter, re-initialized with the session's cached
 * `initialize` request, and traffic resumes. It counts as ready again only once that re-initialize
 * succeeded; a failed one is a failed start. After too many fast failures it gives up: requests are then
 * answered with `BACKEND_UNAVAILABLE` errors and {@link ready} stays false.
 *
 * It is itself a {@link Transport}, so the relay in front of it does not know about restarts.
 */
export class SupervisedBackend implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  readonly #options: SupervisedBackendOptions;
  readonly #policy: RestartPolicy;
  readonly #maxQueued: number;
  #state: State = 'idle';
  #inner: Transport | undefined;
  #startedAt = 0;
  #attempts = 0;
  #lastError: SwitchboardError | undefined;
  /** Ids of requests forwarded to the current backend and not yet answered. */
  #inflight = new Set<RequestId>();
  #queue: JSONRPCMessage[] = [];
  #initialize: JSONRPCRequest | undefined;
  #initialized = false;
  #reinitCount = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #protocolVersion: string | undefined;
  /** The incident under which the give-up was logged (quoted in every later refusal). */
  #gaveUpIncident: string | undefined;
  /** The current backend proved it works (see {@link BackendEvent} `started`). */
  #proven = false;
  /** Raw-frame mode was asked for: every backend connection gets it. */
  #rawFrames: RawFrameScope | undefined;

  /** @param options - how to connect, restart policy, bounds */
  constructor(options: SupervisedBackendOptions) {
    this.#options = options;
    this.#policy = new RestartPolicy(options.restart);
    this.#maxQueued = options.maxQueuedMessages ?? 1000;
  }

  /** `true` while a backend is connected and ready for traffic. */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** `true` once the supervisor gave up restarting. */
  get failed(): boolean {
    return this.#state === 'failed';
  }

  /** The current backend connection (changes on restart). */
  get current(): Transport | undefined {
    return this.#inner;
  }

  /** How many times a backend was started. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Requests in flight to the backend. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Whether the current backend connection writes framed messages as their bytes. */
  [RAW_WRITES](): boolean {
    return this.#inner !== undefined && writesRaw(this.#inner);
  }

  /** Raw-frame mode (for our relay), for this and every later backend connection. */
  [RAW_FRAMES](scope: RawFrameScope = 'all'): void {
    this.#rawFrames = widerScope(this.#rawFrames, scope);
    if (this.#inner) enableRawFrames(this.#inner, this.#rawFrames);
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
    this.#inner?.setProtocolVersion?.(version);
  }

  /** Starts the first backend. A backend that cannot start is restarted like one that died. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new SwitchboardError('ALREADY_STARTED', 'Backend already started');
    await this.#launch();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    switch (this.#state) {
      case 'closed':
        return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', 'Backend connection closed'));
      case 'failed':
        this.#refuse(message);
        return Promise.resolve();
      case 'idle':
      case 'starting':
      case 'restarting':
        this.#remember(message);
        if (this.#queue.length >= this.#maxQueued) {
          return Promise.reject(
            new SwitchboardError(
              'BACKEND_UNAVAILABLE',
              `Backend restarting and ${this.#maxQueued} messages already waiting`,
            ),
          );
        }
        this.#queue.push(message);
        return Promise.resolve();
      case 'ready':
        this.#remember(message);
        return this.#forward(message, options);
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#restartTimer);
    this.#queue = [];
    this.#inflight.clear();
    const inner = this.#inner;
    this.#inner = undefined;
    try {
      await inner?.close();
    } finally {
      this.onclose?.();
    }
  }

  /**
   * Caches the session's `initialize` and `initialized` so a restarted backend can be re-initialized, and
   * forgets requests the client cancelled (a server that honours the cancellation never answers them).
   */
  #remember(message: JSONRPCMessage): void {
    const method = message.method;
    if (method === undefined) return;
    if (method === 'initialize' && isRequest(message)) this.#initialize = message;
    else if (method === 'notifications/initialized') this.#initialized = true;
    else if (method === 'notifications/cancelled') {
      const id = paramOf(message, 'requestId');
      if (typeof id === 'string' || typeof id === 'number') this.#inflight.delete(id);
    }
  }

  #forward(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const inner = this.#inner as Transport;
    if (isRequest(message)) this.#inflight.add(message.id);
    return inner.send(message, options).catch((error: unknown) => {
      // The backend is going away; its close handler answers what was in flight.
      if (isRequest(message) && this.#state !== 'ready') return;
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    });
  }

  /** Answers a request locally: the backend is unavailable (the cause is in the logs, under the incident). */
  #refuse(message: JSONRPCMessage): void {
    if (!isRequest(message)) return;
    const incident = this.#gaveUpIncident ?? newIncidentId();
    const reason = new SwitchboardError(
      'BACKEND_UNAVAILABLE',
      `Backend unavailable: it failed ${this.#attempts} times in a row (incident ${incident})`,
      { details: { incident } },
    );
    queueMicrotask(() => this.#emit(errorResponse(message.id, toJsonRpcError(reason))));
  }

  #emit(message: JSONRPCMessage): void {
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.onerror?.(toSwitchboardError(error));
    }
  }

  async #launch(): Promise<void> {
    this.#state = this.#attempts === 0 ? 'starting' : 'restarting';
    this.#attempts++;
    let inner: Transport;
    try {
      inner = this.#options.connect();
    } catch (error) {
      // A backend that cannot even be described (bad URI, bad options) fails like one that cannot start.
      this.#lastError = toSwitchboardError(error, 'CONNECTION_FAILED');
      const placeholder: Transport = {
        start: () => Promise.resolve(),
        send: () => Promise.resolve(),
        close: () => Promise.resolve(),
      };
      this.#inner = placeholder;
      this.#onBackendClose(placeholder, this.#lastError);
      return;
    }
    this.#inner = inner;
    this.#lastError = undefined;
    this.#proven = false;
    if (this.#rawFrames) enableRawFrames(inner, this.#rawFrames);
    inner.onerror = (error) => {
      if (
        error instanceof SwitchboardError &&
        (error.code === 'CHILD_EXITED' || error.code === 'CONNECTION_FAILED')
      ) {
        this.#lastError = error;
      }
      this.onerror?.(error);
    };
    inner.onmessage = (message, extra) => this.#onBackendMessage(inner, message, extra);
    inner.onclose = () => this.#onBackendClose(inner);
    this.#startedAt = Date.now();
    try {
      await inner.start();
      if (this.#protocolVersion) inner.setProtocolVersion?.(this.#protocolVersion);
    } catch (error) {
      this.#onBackendClose(inner, toSwitchboardError(error, 'CONNECTION_FAILED'));
      return;
    }
    if (this.#superseded(inner)) return;
    if (this.#state === 'restarting' && this.#initialize) {
      try {
        await this.#reinitialize(inner);
      } catch (error) {
        // Not ready: a backend that cannot be re-initialized failed to start, and is restarted as such.
        if (this.#superseded(inner)) return;
        this.#onBackendClose(inner, toSwitchboardError(error, 'CONNECTION_FAILED'));
        inner.close().catch(() => undefined);
        return;
      }
      if (this.#superseded(inner)) return;
      this.#prove();
    }
    this.#state = 'ready';
    const queued = this.#queue;
    this.#queue = [];
    for (const message of queued) {
      this.#forward(message).catch((error: unknown) => this.onerror?.(toSwitchboardError(error)));
    }
  }

  /** `true` when `inner` is no longer the live backend (it died, or we were closed meanwhile). */
  #superseded(inner: Transport): boolean {
    return this.#inner !== inner || this.#state === 'closed' || this.#state === 'failed';
  }

  /**
   * Replays the session's initialize on a fresh backend; its answer is consumed here.
   *
   * @throws SwitchboardError when the backend answers with an error, does not answer in time, or the
   *   send fails
   */
  async #reinitialize(inner: Transport): Promise<void> {
    const original = this.#initialize as JSONRPCRequest;
    const id = `${REINIT_ID_PREFIX}${++this.#reinitCount}`;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new SwitchboardError('UPSTREAM_TIMEOUT', 'Restarted backend did not answer initialize')),
        this.#options.reinitializeTimeoutMs ?? 30_000,
      );
      this.#pendingReinit = { id, resolve };
    });
    try {
      await inner.send(withFrameId(original, id));
      const answer = await answered;
      if ('error' in answer) {
        const said = (answer as { error?: { message?: unknown } }).error?.message;
        throw new SwitchboardError(
          'CONNECTION_FAILED',
          `Restarted backend refused initialize: ${typeof said === 'string' ? said : 'error'}`,
        );
      }
      if (this.#initialized) await inner.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      this.#options.onEvent?.({ type: 'reinitialized' });
    } finally {
      clearTimeout(timer);
      this.#pendingReinit = undefined;
    }
  }

  #pendingReinit: { id: string; resolve: (answer: JSONRPCMessage) => void } | undefined;

  /** The current backend works: report it once. */
  #prove(): void {
    if (this.#proven) return;
    this.#proven = true;
    this.#options.onEvent?.({ type: 'started', attempt: this.#attempts });
  }

  #onBackendMessage(inner: Transport, message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (inner !== this.#inner) return;
    if (!this.#proven && this.#pendingReinit === undefined) this.#prove();
    if (isResponse(message)) {
      if (this.#pendingReinit && message.id === this.#pendingReinit.id) {
        this.#pendingReinit.resolve(message);
        return;
      }
      if (message.id !== undefined) this.#inflight.delete(message.id);
    }
    try {
      this.onmessage?.(message, extra);
    } catch (error) {
      this.onerror?.(toSwitchboardError(error));
    }
  }

  #onBackendClose(inner: Transport, cause?: SwitchboardError): void {
    if (inner !== this.#inner || this.#state === 'closed' || this.#state === 'failed') return;
    const uptimeMs = Date.now() - this.#startedAt;
    const error =
      cause ??
      this.#lastError ??
      new SwitchboardError('CONNECTION_FAILED', 'The backend closed the connection unexpectedly');
    const inflight = [...this.#inflight];
    this.#inflight.clear();
    this.#inner = undefined;
    const wasReady = this.#proven;
    const incident = newIncidentId();
    this.#options.onEvent?.({
      type: 'exited',
      error,
      uptimeMs,
      inflight: inflight.length,
      incident,
      wasReady,
    });
    // Answer everything in flight now: the client must not wait for a timeout. The cause (exit status,
    // stderr, addresses) is for operators; the client gets the incident id to quote.
    const wire = toJsonRpcError(
      new SwitchboardError(
        'BACKEND_UNAVAILABLE',
        `The backend exited during the request (incident ${incident})`,
        { details: { incident } },
      ),
    );
    for (const id of inflight) this.#emit(errorResponse(id, wire));
    const delay = this.#policy.failed(this.#state === 'ready' ? uptimeMs : 0);
    if (delay === undefined) {
      this.#state = 'failed';
      this.#lastError = error;
      this.#gaveUpIncident = newIncidentId();
      this.#options.onEvent?.({
        type: 'gave-up',
        error,
        attempts: this.#attempts,
        incident: this.#gaveUpIncident,
      });
      const queued = this.#queue;
      this.#queue = [];
      for (const message of queued) this.#refuse(message);
      return;
    }
    this.#state = 'restarting';
    this.#options.onEvent?.({ type: 'restarting', delayMs: delay, attempt: this.#attempts + 1 });
    this.#restartTimer = setTimeout(() => {
      this.#launch().catch((e: unknown) => this.onerror?.(toSwitchboardError(e)));
    }, delay);
  }
}
