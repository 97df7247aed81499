import { enableRawFrames, RAW_FRAMES, RAW_WRITES, writesRaw } from '../framing/raw-frame-mode.js';
import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isNotification,
  isRequest,
  isRequestId,
  isResponse,
  type JSONRPCErrorObject,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import { LEGACY_SSE_PROTOCOL_VERSION, MetaKey, SESSION_ERA_VERSIONS } from '../protocol/versions.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import type { BackendEra } from './backend-era.js';
import {
  INPUT_REQUEST_METHODS,
  LEGACY_PROTOCOL_VERSION,
  modernEnvelopeOf,
  envelopeMeta,
  toLegacyResult,
  withMeta,
  type EnvelopeMaterial,
} from './era-meta.js';
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

/** One 2025 request carried to the 2026-07-28 backend, across its `input_required` rounds. */
interface Bridged {
  clientId: RequestId;
  backendId: string;
  method: string;
  /** The request's params with the envelope: resent on every retry. */
  params: MessageParams;
  round: number;
  abort: AbortController | undefined;
  requestState: string | undefined;
  /** Answers collected in this round (created on the first `input_required`). */
  responses: Record<string, unknown> | undefined;
  /** Ids of the server→client requests of this round still unanswered by the client. */
  outstanding: Set<string> | undefined;
  /** `initialize` answered from `server/discover`. */
  initialize?: { requestedVersion: unknown } | undefined;
}

const DEFAULT_LOG_LEVEL = 'debug';
let counter = 0;

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
  readonly #maxRounds: number;
  readonly #maxBridged: number;
  readonly #byBackendId = new Map<RequestId, Bridged>();
  readonly #byClientId = new Map<RequestId, Bridged>();
  readonly #byInputId = new Map<string, { bridged: Bridged; key: string }>();
  readonly #headers = new ParamHeaders();
  readonly #listen: LegacyListen;
  #onmessage: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  #engaged = false;
  #client: EnvelopeMaterial = {
    clientCapabilities: {},
    clientInfo: { name: 'unknown', version: '0' },
    logLevel: DEFAULT_LOG_LEVEL,
  };
  /** The envelope of every request, rebuilt only when the client facts change. */
  #meta = envelopeMeta(this.#client);
  #capabilities: Record<string, unknown> = {};

  /**
   * @param inner - the backend connection (unstarted)
   * @param options - how to learn the backend's era, bounds
   */
  constructor(inner: Transport, options: LegacyFacingOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#maxRounds = options.maxRounds ?? 16;
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
  }

  get onmessage(): ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined {
    return this.#onmessage;
  }

  set onmessage(handler: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined) {
    this.#onmessage = handler;
    // Not engaged: the backend's messages go straight to the handler, with no hop through the stage.
    if (!this.#engaged) this.#inner.onmessage = handler;
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
   * the ones this stage translates are new objects and travel as JSON.
   */
  [RAW_FRAMES](): void {
    enableRawFrames(this.#inner);
  }

  /** Raw writes only while the stage passes messages through. */
  [RAW_WRITES](): boolean {
    return !this.#engaged && writesRaw(this.#inner);
  }

  setProtocolVersion(version: string): void {
    if (!this.#engaged) this.#inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    const era = await this.#options.backendEra();
    this.#engaged = era === 'modern';
    this.#inner.onmessage = this.#engaged ? (m, e) => this.#fromBackend(m, e) : this.#onmessage;
    await this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.#engaged || modernEnvelopeOf(message) !== undefined) return this.#inner.send(message, options);
    if (isRequest(message)) return this.#request(message, options);
    if (isResponse(message)) return this.#clientResponse(message);
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
    const p = message.params ?? {};
    const caps = p.capabilities;
    const info = p.clientInfo as EnvelopeMaterial['clientInfo'] | undefined;
    this.#setClient({
      clientCapabilities: typeof caps === 'object' && caps !== null ? (caps as Record<string, unknown>) : {},
      clientInfo:
        typeof info?.name === 'string' && typeof info.version === 'string'
          ? info
          : { name: 'unknown', version: '0' },
      logLevel: this.#client.logLevel,
    });
    return this.#bridge(
      { jsonrpc: '2.0', id: message.id, method: 'server/discover' },
      withMeta(undefined, this.#meta),
      undefined,
      { requestedVersion: p.protocolVersion },
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
    if (this.#byClientId.size >= this.#maxBridged) {
      this.#fail(
        message.id,
        new SwitchboardError('BACKEND_UNAVAILABLE', `Too many requests in flight (${this.#maxBridged})`),
      );
      return Promise.resolve();
    }
    const bridged: Bridged = {
      clientId: message.id,
      backendId: '',
      method: message.method,
      params,
      round: 0,
      abort: undefined,
      requestState: undefined,
      responses: undefined,
      outstanding: undefined,
      initialize,
    };
    this.#byClientId.set(message.id, bridged);
    return this.#dispatch(bridged, params, options?.headers);
  }

  /** Sends (or resends) a bridged request under a fresh backend id. */
  #dispatch(
    bridged: Bridged,
    params: MessageParams,
    headers?: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (bridged.backendId !== '') this.#byBackendId.delete(bridged.backendId);
    bridged.backendId = `sb-era-${++counter}`;
    this.#byBackendId.set(bridged.backendId, bridged);
    const request: JSONRPCRequest = { jsonrpc: '2.0', id: bridged.backendId, method: bridged.method, params };
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
      if (this.#forget(bridged)) this.#fail(bridged.clientId, error);
    });
  }

  #setClient(client: EnvelopeMaterial): void {
    this.#client = client;
    this.#meta = envelopeMeta(client);
  }

  async #clientResponse(message: JSONRPCMessage & { id?: RequestId | undefined }): Promise<void> {
    const entry = typeof message.id === 'string' ? this.#byInputId.get(message.id) : undefined;
    if (entry === undefined) return; // an answer to nothing we asked (late, or after a cancel)
    this.#byInputId.delete(message.id as string);
    const { bridged, key } = entry;
    bridged.outstanding?.delete(message.id as string);
    if ('error' in message) {
      const error = (message as { error: JSONRPCErrorObject }).error;
      this.#abandon(bridged);
      this.#sendClient(
        errorResponse(bridged.clientId, {
          code: error.code,
          message: `The client refused the server's input request: ${error.message}`,
          ...(error.data === undefined ? {} : { data: error.data }),
        }),
      );
      return;
    }
    (bridged.responses ??= {})[key] = toLegacyResult((message as { result: Record<string, unknown> }).result);
    if (bridged.outstanding === undefined || bridged.outstanding.size === 0) await this.#retry(bridged);
  }

  #retry(bridged: Bridged): Promise<void> {
    const params: MessageParams = { ...bridged.params, inputResponses: bridged.responses ?? {} };
    if (bridged.requestState !== undefined) params.requestState = bridged.requestState;
    bridged.responses = undefined;
    return this.#dispatch(bridged, params);
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
        const bridged = isRequestId(id) ? this.#byClientId.get(id) : undefined;
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
    if (!this.#forget(bridged)) return;
    bridged.abort?.abort();
    this.#inner
      .send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: withMeta({ requestId: bridged.backendId, reason: 'cancelled by the client' }, this.#meta),
      })
      .catch(() => undefined);
    for (const id of bridged.outstanding ?? []) {
      this.#byInputId.delete(id);
      this.#deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } });
    }
    bridged.outstanding?.clear();
  }

  /** Removes a bridged request from the tables; `false` if it was already gone. */
  #forget(bridged: Bridged): boolean {
    if (this.#byClientId.get(bridged.clientId) !== bridged) return false;
    this.#byClientId.delete(bridged.clientId);
    this.#byBackendId.delete(bridged.backendId);
    return true;
  }

  // ---- backend → client ------------------------------------------------------------------------

  #fromBackend(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    try {
      if (isResponse(message)) {
        const bridged = message.id === undefined ? undefined : this.#byBackendId.get(message.id);
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
      this.#forget(bridged);
      this.#deliver({ ...message, id: bridged.clientId });
      return;
    }
    const result = (message as { result: Record<string, unknown> }).result;
    if (result.resultType === 'input_required') {
      this.#inputRequired(bridged, result);
      return;
    }
    this.#forget(bridged);
    if (bridged.initialize !== undefined) {
      this.#deliver({
        jsonrpc: '2.0',
        id: bridged.clientId,
        result: this.#initializeResult(bridged, result),
      });
      return;
    }
    if (bridged.method === 'tools/list') this.#headers.learn(result);
    this.#deliver({ jsonrpc: '2.0', id: bridged.clientId, result: toLegacyResult(result) });
  }

  #inputRequired(bridged: Bridged, result: Record<string, unknown>): void {
    bridged.round++;
    bridged.requestState = typeof result.requestState === 'string' ? result.requestState : undefined;
    const requests = result.inputRequests;
    const entries =
      typeof requests === 'object' && requests !== null
        ? Object.entries(requests as Record<string, unknown>)
        : [];
    if (bridged.round > this.#maxRounds) {
      this.#abandon(bridged);
      this.#fail(
        bridged.clientId,
        new SwitchboardError('INTERNAL', `The server asked for input more than ${this.#maxRounds} times`),
      );
      return;
    }
    for (const [, value] of entries) {
      const method = (value as { method?: unknown } | null)?.method;
      if (typeof method !== 'string' || !INPUT_REQUEST_METHODS.has(method)) {
        this.#abandon(bridged);
        this.#fail(
          bridged.clientId,
          new SwitchboardError(
            'INVALID_MESSAGE',
            `The server asked for an unknown kind of input: ${String(method)}`,
          ),
        );
        return;
      }
    }
    if (entries.length === 0) {
      void this.#retry(bridged);
      return;
    }
    for (const [key, value] of entries) {
      const { method, params } = value as { method: string; params?: MessageParams };
      const id = `switchboard-input-${++counter}`;
      (bridged.outstanding ??= new Set()).add(id);
      this.#byInputId.set(id, { bridged, key });
      const request: JSONRPCRequest = { jsonrpc: '2.0', id, method };
      if (params !== undefined) request.params = params;
      // The related request tells a shared backend exactly which session must answer.
      this.#deliver(request, { relatedRequestId: bridged.clientId });
    }
  }

  #initializeResult(bridged: Bridged, discover: Record<string, unknown>): Record<string, unknown> {
    const requested = bridged.initialize?.requestedVersion;
    const version =
      typeof requested === 'string' &&
      (SESSION_ERA_VERSIONS.includes(requested) || requested === LEGACY_SSE_PROTOCOL_VERSION)
        ? requested
        : LEGACY_PROTOCOL_VERSION;
    const caps = discover.capabilities;
    this.#capabilities = typeof caps === 'object' && caps !== null ? (caps as Record<string, unknown>) : {};
    const meta = discover._meta as Record<string, unknown> | undefined;
    const info = meta?.[MetaKey.serverInfo] ?? discover.serverInfo ?? { name: 'unknown', version: '0' };
    const out: Record<string, unknown> = {
      protocolVersion: version,
      capabilities: this.#capabilities,
      serverInfo: info,
    };
    if (typeof discover.instructions === 'string') out.instructions = discover.instructions;
    const listChanged = (name: string): boolean =>
      (this.#capabilities[name] as { listChanged?: unknown } | undefined)?.listChanged === true;
    void this.#listen
      .start({
        toolsListChanged: listChanged('tools'),
        promptsListChanged: listChanged('prompts'),
        resourcesListChanged: listChanged('resources'),
      })
      .catch((error: unknown) => this.#report(toSwitchboardError(error)));
    return out;
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
    for (const bridged of [...this.#byClientId.values()]) this.#forget(bridged);
    this.#byInputId.clear();
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
