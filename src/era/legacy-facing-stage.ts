import { withFrameId } from '../framing/frame-message.js';
import {
  enableRawFrames,
  RAW_FRAMES,
  RAW_WRITES,
  widerScope,
  writesRaw,
  type RawFrameScope,
} from '../framing/raw-frame-mode.js';
import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isNotification,
  isRequest,
  isRequestId,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import { MetaKey } from '../protocol/versions.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import type { BackendEra } from './backend-era.js';
import {
  modernEnvelopeOf,
  envelopeMeta,
  toLegacyResult,
  withMeta,
  type EnvelopeMaterial,
} from './era-meta.js';
import { HeldMessages } from '../proxy/held-messages.js';
import { BridgedTable, type Bridged } from './legacy-bridged.js';
import { splicedResult } from './legacy-frames.js';
import { clientFromInitialize, initializeFromDiscover } from './legacy-initialize.js';
import { InputRounds } from './legacy-input-rounds.js';
import { LegacyListen } from './legacy-listen.js';
import { ParamHeaders } from './param-headers.js';

/** Options of {@link LegacyFacingStage}. */
export interface LegacyFacingOptions {
  /** Resolves the backend's era once (the stage engages only for a 2026-07-28-only backend). */
  backendEra: () => Promise<BackendEra>;
  /** Most `input_required` rounds for one request before it fails (default 16). */
  maxRounds?: number | undefined;
  /** Most 2025 client requests the stage translates at once (default 10,000). */
  maxBridged?: number | undefined;
}

const DEFAULT_LOG_LEVEL = 'debug';

/** Most backend messages held while the backend's era is still unknown (see `start()`). */
const MAX_EARLY_MESSAGES = 256;
const EARLY_OVERFLOW = `The backend sent more than ${MAX_EARLY_MESSAGES} messages before its protocol era was known: the rest were dropped`;

function featureError(feature: string): SwitchboardError {
  return new SwitchboardError(
    'FEATURE_UNAVAILABLE',
    `${feature} is a 2025-era feature: the backend speaks only protocol 2026-07-28, which has no form of it`,
  );
}

/**
 * The legacy-facing stage: presents a backend that speaks only 2026-07-28 as a 2025-era server, on one
 * backend connection (a Transport decorator; in shared mode it sits under the shared backend, so every
 * 2025 session shares it as it would share a 2025 server).
 *
 * - `initialize` is answered from `server/discover` (capabilities, serverInfo, instructions, a 2025
 *   version the client asked for); `notifications/initialized` opens the `subscriptions/listen` that
 *   stands for the GET stream.
 * - Every request gets the per-request `_meta` envelope (protocolVersion, clientCapabilities, clientInfo,
 *   logLevel from `logging/setLevel`, default `debug` as a 2025 server would log) and, towards HTTP, the
 *   `Mcp-Param-*` headers of annotated tool arguments (the transport adds `Mcp-Method`/`Mcp-Name`).
 * - An `input_required` result becomes the matching 2025 server→client requests to the client; their
 *   answers go back as `inputResponses` with the server's `requestState`, and the retry's final result
 *   answers the client's original request.
 * - `resources/subscribe`/`unsubscribe` change the listen filter; `ping` and `logging/setLevel` are
 *   answered here; `notifications/cancelled` closes the 2026 request (stream abort on HTTP, the
 *   notification elsewhere); tasks are refused with a precise error.
 *
 * Messages that already carry a 2026-07-28 envelope (a modern client on the same connection) pass
 * through untouched, and so does everything when the backend turns out to speak the 2025 era itself.
 */
export class LegacyFacingStage implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;

  readonly #inner: Transport;
  readonly #options: LegacyFacingOptions;
  readonly #maxBridged: number;
  readonly #table = new BridgedTable();
  readonly #rounds: InputRounds;
  readonly #headers = new ParamHeaders();
  readonly #listen: LegacyListen;
  #onmessage: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  #engaged = false;
  /** Backend messages held until the era is known and `start()` has returned (see `start()`). */
  #held: HeldMessages | undefined;
  #started = false;
  /** Raw-frame mode asked of this stage (passed on once the backend's era is known). */
  #rawFrames: RawFrameScope | undefined;
  #client: EnvelopeMaterial = {
    clientCapabilities: {},
    clientInfo: { name: 'unknown', version: '0' },
    logLevel: DEFAULT_LOG_LEVEL,
  };
  /** The envelope of every request, rebuilt only when the client or server facts change. */
  #meta = envelopeMeta(this.#client);
  #capabilities: Record<string, unknown> = {};
  /** Whether the server may log (until `server/discover` says otherwise). */
  #serverLogs = true;

  /**
   * @param inner - the backend connection (unstarted)
   * @param options - how to learn the backend's era, bounds
   */
  constructor(inner: Transport, options: LegacyFacingOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#maxBridged = options.maxBridged ?? 10_000;
    inner.onclose = () => this.#closed();
    inner.onerror = (error) => this.#report(error);
    inner.onmessage = (message, extra) => this.#fromBackend(message, extra);
    this.#listen = new LegacyListen({
      send: (m, o) => this.#inner.send(m, o),
      perRequestStream: inner.hasPerRequestStream === true,
      envelope: () => this.#client,
      deliver: (n) => this.#deliver(n),
    });
    this.#rounds = new InputRounds(
      this.#table,
      {
        dispatch: (bridged, params) => this.#dispatch(bridged, params),
        deliver: (m, extra) => this.#deliver(m, extra),
        fail: (id, error) => this.#fail(id, error),
        abandon: (bridged) => this.#abandon(bridged),
      },
      options.maxRounds ?? 16,
    );
  }

  get onmessage(): ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined {
    return this.#onmessage;
  }

  set onmessage(handler: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined) {
    this.#onmessage = handler;
    // Not engaged: the backend's messages go straight to the handler, with no hop through the stage
    // (from `start()` on, once the era is known).
    if (this.#started && !this.#engaged && this.#held === undefined) this.#inner.onmessage = handler;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  get hasPerRequestStream(): boolean {
    return this.#inner.hasPerRequestStream === true;
  }

  /** `true` once the backend turned out to speak only 2026-07-28 and the stage translates. */
  get engaged(): boolean {
    return this.#engaged;
  }

  /**
   * Raw-frame mode reaches the backend connection: a 2025 backend's messages pass through as they are;
   * a 2026-07-28 backend's large results are translated on their bytes (`legacy-frames.ts`), everything
   * else as parsed objects — so there only large frames are delivered framed: keeping a small frame's
   * bytes and envelope costs more than parsing it plainly, and the translation rebuilds it anyway.
   * Until `start()` knows the backend's era, the request waits.
   */
  [RAW_FRAMES](scope: RawFrameScope = 'all'): void {
    this.#rawFrames = widerScope(this.#rawFrames, scope);
    if (this.#started) this.#enableRawFrames();
  }

  #enableRawFrames(): void {
    if (this.#rawFrames !== undefined)
      enableRawFrames(this.#inner, this.#engaged ? 'large' : this.#rawFrames);
  }

  /**
   * Raw writes only while the stage passes messages through. Engaged, it builds every request it sends
   * (the envelope is added to a parsed copy): a client side in raw-frame mode would only pay for
   * framing messages that are opened at once. (Splicing the envelope into the bytes costs more than
   * `JSON.stringify` for the small requests that make up nearly all traffic; see `legacy-frames.ts`.)
   */
  [RAW_WRITES](): boolean {
    return !this.#engaged && writesRaw(this.#inner);
  }

  setProtocolVersion(version: string): void {
    if (!this.#engaged) this.#inner.setProtocolVersion?.(version);
  }

  /**
   * Starts the backend connection while its era is still being found — a stdio backend spawns beside
   * the era probe, not after it. What the backend sends meanwhile (rare: 2025 servers speak when
   * spoken to) waits, in order and at most {@link MAX_EARLY_MESSAGES}, for the handler the era picks,
   * and goes on only after `start()` returned (never inside it: a relay starts its frontend after its
   * backend, and the frontend refuses to send until then). If either fails, the connection is closed
   * and `start()` rejects with the first failure.
   */
  async start(): Promise<void> {
    const held = new HeldMessages(MAX_EARLY_MESSAGES, () =>
      this.#report(new SwitchboardError('BUFFER_BUDGET_EXCEEDED', EARLY_OVERFLOW)),
    );
    this.#held = held;
    this.#inner.onmessage = held.hold;
    const [era, started] = await Promise.allSettled([this.#options.backendEra(), this.#inner.start()]);
    if (era.status === 'rejected' || started.status === 'rejected') {
      this.#held = undefined;
      if (started.status === 'fulfilled') {
        this.#inner.onclose = undefined;
        await this.#inner.close().catch(() => undefined);
      }
      throw era.status === 'rejected' ? era.reason : (started as PromiseRejectedResult).reason;
    }
    this.#engaged = era.value === 'modern';
    this.#started = true;
    this.#enableRawFrames();
    if (held.size === 0) {
      this.#release(held);
      return;
    }
    // Held messages go on as messages from I/O do: after start() resolved and its caller finished
    // starting (our relay holds what arrives before its frontend started; other callers of a
    // transport need not). Later ones queue behind them.
    setImmediate(() => this.#release(held));
  }

  /** Installs the handler the era picks and hands on what was held, in order. */
  #release(held: HeldMessages): void {
    this.#held = undefined;
    const handler = this.#engaged
      ? (m: JSONRPCMessage, e?: MessageExtraInfo) => this.#fromBackend(m, e)
      : this.#onmessage;
    this.#inner.onmessage = handler;
    held.release(handler, (error) => this.#report(toSwitchboardError(error)));
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.#engaged || modernEnvelopeOf(message) !== undefined) return this.#inner.send(message, options);
    if (isRequest(message)) return this.#request(message, options);
    if (isResponse(message)) return this.#rounds.answer(message);
    return this.#clientNotification(message);
  }

  async close(): Promise<void> {
    this.#listen.close();
    await this.#inner.close();
  }

  // ---- client → backend ------------------------------------------------------------------------

  #request(message: JSONRPCRequest, options: TransportSendOptions | undefined): Promise<void> {
    switch (message.method) {
      case 'initialize':
        return this.#initialize(message);
      case 'ping':
        this.#answer(message.id, {});
        return Promise.resolve();
      case 'logging/setLevel': {
        const level = message.params?.level;
        if (typeof level === 'string') this.#setClient({ ...this.#client, logLevel: level });
        this.#answer(message.id, {});
        return Promise.resolve();
      }
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return this.#subscription(message);
      default:
        break;
    }
    if (message.method.startsWith('tasks/')) {
      this.#fail(message.id, featureError(`Tasks (${message.method})`));
      return Promise.resolve();
    }
    if (message.params?.task !== undefined) {
      this.#fail(message.id, featureError(`Task-augmented ${message.method}`));
      return Promise.resolve();
    }
    return this.#bridge(message, withMeta(message.params, this.#meta), options);
  }

  #initialize(message: JSONRPCRequest): Promise<void> {
    this.#setClient(clientFromInitialize(message.params, this.#client.logLevel));
    return this.#bridge(
      { jsonrpc: '2.0', id: message.id, method: 'server/discover' },
      withMeta(undefined, this.#meta),
      undefined,
      { requestedVersion: message.params?.protocolVersion },
    );
  }

  async #subscription(message: JSONRPCRequest): Promise<void> {
    const uri = message.params?.uri;
    const resources = this.#capabilities.resources as { subscribe?: unknown } | undefined;
    if (typeof uri !== 'string') {
      this.#fail(message.id, new SwitchboardError('INVALID_MESSAGE', `${message.method} needs params.uri`));
      return;
    }
    if (resources?.subscribe !== true) {
      this.#fail(
        message.id,
        new SwitchboardError('FEATURE_UNAVAILABLE', 'The backend does not offer resource subscriptions'),
      );
      return;
    }
    try {
      if (message.method === 'resources/subscribe') await this.#listen.subscribe(uri);
      else await this.#listen.unsubscribe(uri);
      this.#answer(message.id, {});
    } catch (error) {
      this.#fail(message.id, error);
    }
  }

  #bridge(
    message: JSONRPCRequest,
    params: MessageParams,
    options: TransportSendOptions | undefined,
    initialize?: Bridged['initialize'],
  ): Promise<void> {
    if (this.#table.size >= this.#maxBridged) {
      this.#fail(
        message.id,
        new SwitchboardError('BACKEND_UNAVAILABLE', `Too many requests in flight (${this.#maxBridged})`),
      );
      return Promise.resolve();
    }
    const bridged = this.#table.open(message.id, message.method, params, initialize);
    return this.#dispatch(bridged, params, options?.headers);
  }

  /** Sends (or resends) a bridged request under a fresh backend id. */
  #dispatch(
    bridged: Bridged,
    params: MessageParams,
    headers?: Readonly<Record<string, string>>,
  ): Promise<void> {
    const id = this.#table.rekey(bridged);
    const request: JSONRPCRequest = { jsonrpc: '2.0', id, method: bridged.method, params };
    let options: TransportSendOptions | undefined;
    if (this.#inner.hasPerRequestStream === true) {
      bridged.abort = new AbortController();
      const computed = this.#headers.for(request);
      const merged = headers || computed ? { ...headers, ...computed } : undefined;
      options = merged
        ? { requestSignal: bridged.abort.signal, headers: merged }
        : { requestSignal: bridged.abort.signal };
    }
    return this.#inner.send(request, options).catch((error: unknown) => {
      if (this.#table.forget(bridged)) this.#fail(bridged.clientId, error);
    });
  }

  #setClient(client: EnvelopeMaterial): void {
    this.#client = client;
    this.#meta = this.#envelope();
  }

  /**
   * The envelope of the client's requests. The log level goes only to a server that declared `logging`:
   * one that did not sends no log message whatever the level, and the member would only lengthen
   * every request.
   */
  #envelope(): Record<string, unknown> {
    const client = this.#client;
    return envelopeMeta(this.#serverLogs ? client : { ...client, logLevel: undefined });
  }

  #clientNotification(message: JSONRPCNotification): Promise<void> {
    switch (message.method) {
      case 'notifications/initialized':
        return Promise.resolve();
      case 'notifications/roots/list_changed':
        // 2026-07-28 asks for roots per request (input_required): nothing to tell the server.
        return Promise.resolve();
      case 'notifications/cancelled': {
        const id = message.params?.requestId;
        const bridged = isRequestId(id) ? this.#table.byClientId(id) : undefined;
        // Not one of ours: a 2026-07-28 request on the same connection (e.g. the cancellation an HTTP
        // frontend makes of a closed stream), passed on as is.
        if (bridged === undefined) return this.#inner.send(message);
        this.#abandon(bridged);
        return Promise.resolve();
      }
      default:
        return this.#inner.send({ ...message, params: withMeta(message.params, this.#meta) });
    }
  }

  /** Ends a bridged request the client gave up on: its 2026 request is cancelled, its input requests too. */
  #abandon(bridged: Bridged): void {
    if (!this.#table.forget(bridged)) return;
    bridged.abort?.abort();
    this.#inner
      .send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: withMeta({ requestId: bridged.backendId, reason: 'cancelled by the client' }, this.#meta),
      })
      .catch(() => undefined);
    for (const id of this.#table.dropInputs(bridged)) {
      this.#deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } });
    }
  }

  // ---- backend → client ------------------------------------------------------------------------

  #fromBackend(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    try {
      if (isResponse(message)) {
        const bridged = message.id === undefined ? undefined : this.#table.byBackendId(message.id);
        if (bridged !== undefined) this.#settle(bridged, message);
        else if (!this.#listen.ended(message.id)) this.#deliver(message, extra);
        return;
      }
      if (isNotification(message)) {
        const subscription = message.params?._meta?.[MetaKey.subscriptionId];
        if (subscription !== undefined && this.#listen.receive(message, subscription)) return;
        if (message.method === 'notifications/cancelled' && this.#listen.ended(message.params?.requestId))
          return;
      }
      this.#deliver(message, extra);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  #settle(bridged: Bridged, message: JSONRPCMessage): void {
    if ('error' in message) {
      this.#table.forget(bridged);
      this.#deliver(withFrameId(message as JSONRPCMessage & { id: RequestId }, bridged.clientId));
      return;
    }
    // A large result keeps its bytes: the 2026-07-28 members are cut out of them (`legacy-frames.ts`).
    if (bridged.initialize === undefined) {
      const spliced = splicedResult(message, bridged.clientId);
      if (spliced !== undefined) {
        this.#table.forget(bridged);
        this.#deliver(spliced);
        return;
      }
    }
    const result = (message as { result: Record<string, unknown> }).result;
    if (result.resultType === 'input_required') {
      this.#rounds.required(bridged, result);
      return;
    }
    this.#table.forget(bridged);
    if (bridged.initialize !== undefined) {
      this.#deliver({ jsonrpc: '2.0', id: bridged.clientId, result: this.#initialized(bridged, result) });
      return;
    }
    if (bridged.method === 'tools/list') this.#headers.learn(result);
    this.#deliver({ jsonrpc: '2.0', id: bridged.clientId, result: toLegacyResult(result) });
  }

  /** The backend's `server/discover` answered the client's `initialize`: the listen opens. */
  #initialized(bridged: Bridged, discover: Record<string, unknown>): Record<string, unknown> {
    const server = initializeFromDiscover(bridged.initialize?.requestedVersion, discover);
    this.#capabilities = server.capabilities;
    this.#serverLogs = server.capabilities.logging !== undefined;
    this.#meta = this.#envelope();
    void this.#listen.start(server.listen).catch((error: unknown) => this.#report(toSwitchboardError(error)));
    return server.result;
  }

  #answer(id: RequestId, result: Record<string, unknown>): void {
    this.#sendClient({ jsonrpc: '2.0', id, result });
  }

  #fail(id: RequestId, error: unknown): void {
    this.#sendClient(errorResponse(id, toJsonRpcError(error)));
  }

  /** A message to the client, delivered asynchronously so a caller inside `send()` never re-enters. */
  #sendClient(message: JSONRPCMessage): void {
    queueMicrotask(() => this.#deliver(message));
  }

  #deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    try {
      this.#onmessage?.(message, extra);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  #closed(): void {
    this.#listen.close();
    this.#table.clear();
    try {
      this.onclose?.();
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  #report(error: Error): void {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the stage.
    }
  }
}
