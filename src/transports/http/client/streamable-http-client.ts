import { setMaxListeners } from 'node:events';
import { SwitchboardError, toSwitchboardError } from '../../../errors.js';
import { isRequest, isResponse, errorResponse, type JSONRPCMessage } from '../../../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../../transport.js';
import { McpHeader, MediaType } from '../shared/headers.js';
import {
  resolveHttpClientOptions,
  type HttpClientOptions,
  type ResolvedHttpClientOptions,
} from './http-client-options.js';
import { isLegacyServerSignal, type BodyRpcError } from './http-errors.js';
import {
  discardBody,
  exceedsBytes,
  failedResponseError,
  mediaTypeOf,
  sendHttpRequest,
  withAuthRetry,
  type HttpResponse,
} from './http-request.js';
import { LegacySseClientTransport } from './legacy-sse-client.js';
import { MessageSink } from './message-sink.js';
import {
  readJsonResponse,
  readResponseStream,
  runStandaloneStream,
  type StreamContext,
} from './response-streams.js';
import { deleteSession } from './session-delete.js';
import { SessionHeaders } from './session-headers.js';
import { createSessionIo } from './session-io.js';
import { SessionRecovery, sessionIsGone, type SessionIo } from './session-recovery.js';

type State = 'idle' | 'open' | 'closed';

/** Which wire protocol a client transport ended up speaking. */
export type HttpClientMode = 'unknown' | 'streamable-http' | 'sse';

interface Attempt {
  /** The first POST of an `auto` transport: a legacy-server answer triggers the HTTP+SSE fallback. */
  detect?: boolean;
  /** Already retried after a session recovery: never twice. */
  recovered?: boolean;
}

const isInitialize = (m: JSONRPCMessage): boolean => m.method === 'initialize';

/**
 * Client of the MCP Streamable HTTP transport, for both protocol eras:
 *
 * - **2025 era** (2025-03-26 … 2025-11-25): `Mcp-Session-Id` and `MCP-Protocol-Version` headers, the
 *   standalone `GET` stream (reconnected with `Last-Event-ID`, honouring the server's `retry:`), resumed
 *   POST streams, `DELETE` on close, and **transparent session recovery**: when the server forgot the
 *   session (404, or a 400 that a `ping` confirms), the cached `initialize` is replayed,
 *   `notifications/initialized` re-sent, and the failed message retried once.
 * - **2026-07-28** (a message whose `_meta` declares it, or after `setProtocolVersion('2026-07-28')`):
 *   no session, `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name` from the body, `Mcp-Param-*` from
 *   `TransportSendOptions.headers`, per-request streams (`hasPerRequestStream`), `requestSignal` aborts
 *   the request's stream (the 2026 cancellation), `onRequestStreamEnd`.
 * - **Legacy fallback** (`transport: 'auto'`): when the first POST is refused the way a 2024-11-05
 *   server refuses it (400/404/405 without a modern error body) and a `GET` yields an `endpoint` event,
 *   the transport continues as a {@link LegacySseClientTransport}.
 *
 * `send()` resolves when the server accepted the POST (202) or started its response; a response stream
 * is then read in the background. HTTP failures reject with coded errors (`AUTH_REQUIRED`, `FORBIDDEN`,
 * `HTTP_ERROR`, `SESSION_EXPIRED`, `CONNECTION_FAILED`, `UPSTREAM_TIMEOUT`). Connections are reused
 * (undici keep-alive).
 *
 * @example
 * ```ts
 * const transport = new StreamableHttpClientTransport(new URL('http://127.0.0.1:3000/mcp'), { token: 'secret' });
 * await client.connect(transport); // SDK v1 or v2 Client
 * ```
 */
export class StreamableHttpClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  readonly #url: URL;
  readonly #options: HttpClientOptions;
  readonly #opts: ResolvedHttpClientOptions;
  readonly #abort = new AbortController();
  readonly #recovery = new SessionRecovery();
  readonly #h: SessionHeaders;
  readonly #io: SessionIo;
  #state: State = 'idle';
  #closing: Promise<void> | undefined;
  #mode: HttpClientMode = 'unknown';
  #detecting: Promise<void> | undefined;
  #legacy: LegacySseClientTransport | undefined;
  #sessionLost = false;
  #getStream: AbortController | undefined;
  #inFlight = 0;
  readonly #ctx: StreamContext;
  readonly #sink = new MessageSink({
    deliver: (m) => this.#deliver(m),
    report: (e) => this.#report(e),
    reply: (m) => {
      this.send(m).catch((e: unknown) => this.#report(toSwitchboardError(e)));
    },
  });

  /**
   * @param url - the MCP endpoint (`http:` or `https:`)
   * @param options - see {@link HttpClientOptions}
   * @throws SwitchboardError `INVALID_OPTIONS`
   */
  constructor(url: URL, options: HttpClientOptions = {}) {
    this.#url = url;
    // Every in-flight request listens on the transport's signal (and removes its listener when done):
    // many concurrent requests are normal here, not a leak.
    setMaxListeners(0, this.#abort.signal);
    this.#options = options;
    this.#opts = resolveHttpClientOptions(options);
    this.#h = new SessionHeaders(this.#opts);
    if (this.#opts.transport === 'streamable-http') this.#mode = 'streamable-http';
    this.#io = createSessionIo({
      url,
      opts: this.#opts,
      headers: this.#h,
      signal: this.#abort.signal,
      deliver: (m) => this.#deliver(m),
      adopted: (previousSessionId, sessionId) => {
        this.#getStream?.abort();
        this.#getStream = undefined;
        this.#sessionLost = false;
        try {
          this.#opts.onSessionRecovered?.({ previousSessionId, sessionId });
        } catch (error) {
          this.#report(toSwitchboardError(error));
        }
      },
      initialized: () => this.#startGetStream(),
    });
    this.#ctx = {
      url,
      opts: this.#opts,
      sink: this.#sink,
      signal: this.#abort.signal,
      isClosed: () => this.#isClosed(),
      openGet: (lastEventId, signal) => this.#openGet(lastEventId, signal),
      serverRetryMs: undefined,
    };
  }

  /** The 2025-era session id issued by the server, if any. */
  get sessionId(): string | undefined {
    return this.#legacy === undefined ? this.#h.sessionId : undefined;
  }

  /** The protocol version the SDK negotiated (or the one given in the options). */
  get protocolVersion(): string | undefined {
    return this.#h.protocolVersion;
  }

  /** `true`: every request has its own response stream (`false` once fallen back to HTTP+SSE). */
  get hasPerRequestStream(): boolean {
    return this.#legacy === undefined;
  }

  /** The wire protocol in use: `unknown` until the first exchange settles it. */
  get mode(): HttpClientMode {
    return this.#mode;
  }

  /** Called by the SDK once the protocol version is known (after `initialize` or era negotiation). */
  setProtocolVersion(version: string): void {
    this.#h.protocolVersion = version;
    this.#legacy?.setProtocolVersion(version);
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new SwitchboardError('ALREADY_STARTED', 'Transport already started');
    this.#state = 'open';
    if (this.#opts.transport === 'sse') {
      const legacy = await this.#openLegacy();
      if (legacy instanceof SwitchboardError) {
        this.#state = 'closed';
        throw legacy;
      }
      return;
    }
    // Resuming a known session: the SDK will not initialize again, so open the GET stream now.
    if (this.#h.sessionId !== undefined) this.#startGetStream();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.#assertOpen();
    if (this.#detecting !== undefined) {
      await this.#detecting;
      this.#assertOpen();
    }
    if (this.#legacy !== undefined) return this.#legacy.send(message, options);
    if (options?.requestSignal?.aborted === true) {
      throw new SwitchboardError('ABORTED', 'The request was aborted before it was sent');
    }
    if (options?.resumptionToken !== undefined) {
      // Re-attach to a request's stream after a reconnect (GET + Last-Event-ID), in the background.
      if (isRequest(message)) {
        void readResponseStream(this.#ctx, {
          requestId: message.id,
          resumeFrom: options.resumptionToken,
          options,
        });
      }
      return;
    }
    this.#recovery.observe(message);
    if (this.#inFlight >= this.#opts.maxInFlightRequests) {
      throw new SwitchboardError(
        'WRITE_FAILED',
        `${this.#inFlight} requests already in flight (maxInFlightRequests)`,
      );
    }
    if (this.#mode === 'unknown' && this.#opts.transport === 'auto') {
      const detection = this.#post(message, options, { detect: true });
      this.#detecting = detection.then(
        () => undefined,
        () => undefined,
      );
      try {
        return await detection;
      } finally {
        this.#detecting = undefined;
      }
    }
    return this.#post(message, options, {});
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /**
   * Ends the 2025-era session now with `DELETE` (a 405 — "not supported" — is accepted) and forgets
   * its id.
   *
   * @throws SwitchboardError from the `DELETE`
   */
  async terminateSession(): Promise<void> {
    const sessionId = this.#h.sessionId;
    if (sessionId === undefined) return;
    await deleteSession(this.#url, await this.#h.bodiless('*/*', sessionId), {
      signal: this.#abort.signal,
      dispatcher: this.#opts.dispatcher,
      strict: true,
    });
    if (this.#h.sessionId === sessionId) this.#h.sessionId = undefined;
  }

  // ---- sending -------------------------------------------------------------------------------------

  async #post(
    message: JSONRPCMessage,
    options: TransportSendOptions | undefined,
    attempt: Attempt,
  ): Promise<void> {
    if (this.#sessionLost && !isInitialize(message) && this.#recovery.canRecover) {
      await this.#recover(this.#recovery.generation);
    }
    const generation = this.#recovery.generation;
    const modern = this.#h.modernVersion(message);
    const body = JSON.stringify(message);
    if (exceedsBytes(body, this.#opts.maxMessageBytes)) {
      throw new SwitchboardError(
        'FRAME_TOO_LARGE',
        `Message exceeds the limit of ${this.#opts.maxMessageBytes} bytes`,
      );
    }
    const requestSignal = options?.requestSignal;
    const signal =
      requestSignal === undefined ? this.#abort.signal : AbortSignal.any([this.#abort.signal, requestSignal]);
    this.#inFlight++;
    let release = true;
    try {
      const res = await withAuthRetry(
        async () =>
          sendHttpRequest(
            {
              method: 'POST',
              url: this.#url,
              headers: await this.#h.post(message, modern, options),
              body,
              signal,
              // Response streams may be idle for long (a slow tool): only the configured idle limit.
              bodyTimeoutMs: isRequest(message) ? this.#opts.streamIdleTimeoutMs : undefined,
              headersTimeoutMs: this.#opts.headersTimeoutMs,
            },
            this.#opts.dispatcher,
          ),
        this.#url,
        this.#opts.onUnauthorized,
      );
      if (res.status >= 200 && res.status < 300) {
        if (this.#mode === 'unknown') this.#mode = 'streamable-http';
        if (isInitialize(message)) {
          this.#h.sessionId = res.header(McpHeader.sessionId);
          this.#sessionLost = false;
        }
        release = false;
        return await this.#accepted(message, res, options, modern);
      }
      return await this.#refused(message, res, options, { ...attempt, generation, modern });
    } catch (error) {
      if (requestSignal?.aborted === true && !this.#abort.signal.aborted) {
        throw new SwitchboardError('ABORTED', 'The request was aborted', { cause: error });
      }
      if (this.#isClosed())
        throw new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed', { cause: error });
      throw error;
    } finally {
      if (release) this.#inFlight--;
    }
  }

  /** A POST answered with a non-2xx status: legacy fallback, session recovery, or a coded error. */
  async #refused(
    message: JSONRPCMessage,
    res: HttpResponse,
    options: TransportSendOptions | undefined,
    context: Attempt & { generation: number; modern: string | undefined },
  ): Promise<void> {
    const failure = await failedResponseError(res, { method: 'POST', url: this.#url });
    if (
      context.detect === true &&
      isLegacyServerSignal(res.status, failure.details.body as string | undefined)
    ) {
      const legacy = await this.#openLegacy();
      if (!(legacy instanceof SwitchboardError)) return legacy.send(message, options);
    }
    if (this.#mode === 'unknown') this.#mode = 'streamable-http';
    if (await this.#shouldRecover(message, res.status, context)) {
      if (isResponse(message)) {
        throw new SwitchboardError('SESSION_EXPIRED', 'The session this response belonged to has ended', {
          cause: failure,
        });
      }
      return this.#post(message, options, { recovered: true });
    }
    const rpcError = failure.details.rpcError as BodyRpcError | undefined;
    if (context.modern !== undefined && isRequest(message) && rpcError !== undefined) {
      // 2026-07-28 servers refuse header/version problems with 4xx + a JSON-RPC error: hand it to the SDK
      // as this request's response, so that it surfaces as a typed protocol error (and era negotiation
      // can read it).
      this.#deliver(errorResponse(message.id, rpcError));
      return;
    }
    throw failure;
  }

  /** A 2xx answer to a POST: nothing more (202), a JSON body, or an SSE response stream. */
  async #accepted(
    message: JSONRPCMessage,
    res: HttpResponse,
    options: TransportSendOptions | undefined,
    modern: string | undefined,
  ): Promise<void> {
    const done = (): void => {
      this.#inFlight--;
    };
    if (res.status === 202 || !isRequest(message)) {
      await discardBody(res.body);
      done();
      if (message.method === 'notifications/initialized' && modern === undefined) this.#startGetStream();
      return;
    }
    const type = mediaTypeOf(res.header('content-type'));
    if (type === MediaType.eventStream) {
      void readResponseStream(this.#ctx, { requestId: message.id, body: res.body, options, modern }).finally(
        done,
      );
    } else if (type === MediaType.json) {
      void readJsonResponse(this.#ctx, message.id, res.body).finally(done);
    } else {
      await discardBody(res.body);
      done();
      throw new SwitchboardError(
        'HTTP_ERROR',
        `Unexpected content type "${type ?? '(none)'}" in the answer to a request`,
        {
          details: { status: res.status, contentType: type },
        },
      );
    }
  }

  // ---- receiving -----------------------------------------------------------------------------------

  #deliver(message: JSONRPCMessage): void {
    if (this.#isClosed()) return;
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  #report(error: Error): void {
    if (this.#isClosed()) return;
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  }

  async #openGet(lastEventId: string | undefined, signal: AbortSignal): Promise<HttpResponse> {
    return withAuthRetry(
      async () => {
        const headers = await this.#h.bodiless(MediaType.eventStream);
        if (lastEventId !== undefined) headers[McpHeader.lastEventId] = lastEventId;
        return sendHttpRequest(
          {
            method: 'GET',
            url: this.#url,
            headers,
            signal,
            bodyTimeoutMs: this.#opts.streamIdleTimeoutMs,
            headersTimeoutMs: this.#opts.headersTimeoutMs,
          },
          this.#opts.dispatcher,
        );
      },
      this.#url,
      this.#opts.onUnauthorized,
    );
  }

  /** Opens the standalone GET stream of the session (2025 era), once. */
  #startGetStream(): void {
    if (!this.#opts.openGetStream || this.#getStream !== undefined || this.#state !== 'open') return;
    const controller = new AbortController();
    this.#getStream = controller;
    const generation = this.#recovery.generation;
    void runStandaloneStream(this.#ctx, AbortSignal.any([this.#abort.signal, controller.signal])).then(
      async (outcome) => {
        if (this.#getStream === controller) this.#getStream = undefined;
        if (this.#isClosed() || outcome.kind === 'aborted' || outcome.kind === 'unsupported') return;
        if (
          outcome.kind === 'rejected' &&
          (outcome.status === 404 || outcome.status === 400) &&
          this.#canRecover()
        ) {
          const gone =
            outcome.status === 404 || (await sessionIsGone(this.#io, this.#recovery.internalId('ping')));
          if (gone) {
            await this.#recover(generation).catch((e: unknown) => this.#report(toSwitchboardError(e)));
            return;
          }
        }
        if (outcome.kind === 'rejected' || outcome.kind === 'gave-up') {
          this.#report(
            new SwitchboardError('CONNECTION_FAILED', 'The standalone GET stream was given up', {
              cause: outcome.error,
            }),
          );
        }
      },
    );
  }

  // ---- session recovery ----------------------------------------------------------------------------

  #canRecover(): boolean {
    return this.#opts.sessionRecovery && this.#recovery.canRecover && this.#legacy === undefined;
  }

  /** Whether a 404/400 means the session is gone; if so, re-initializes before answering `true`. */
  async #shouldRecover(
    message: JSONRPCMessage,
    status: number,
    context: Attempt & { generation: number; modern: string | undefined },
  ): Promise<boolean> {
    if (status !== 404 && status !== 400) return false;
    if (
      context.modern !== undefined ||
      isInitialize(message) ||
      context.recovered === true ||
      !this.#canRecover()
    ) {
      return false;
    }
    if (context.generation !== this.#recovery.generation) return true; // replaced meanwhile: just retry
    if (this.#h.sessionId === undefined) return false;
    if (status === 400 && !(await sessionIsGone(this.#io, this.#recovery.internalId('ping')))) return false;
    await this.#recover(context.generation);
    return true;
  }

  async #recover(generation: number): Promise<void> {
    try {
      await this.#recovery.recover(this.#io, generation, this.#h.protocolVersion);
    } catch (error) {
      this.#sessionLost = true;
      throw error;
    }
  }

  // ---- legacy fallback and lifecycle ---------------------------------------------------------------

  /** Opens the HTTP+SSE transport on the same URL; on success all further traffic goes through it. */
  async #openLegacy(): Promise<LegacySseClientTransport | SwitchboardError> {
    const legacy = new LegacySseClientTransport(this.#url, this.#options);
    legacy.onmessage = (m) => this.#deliver(m);
    legacy.onerror = (e) => this.#report(e);
    try {
      await legacy.start();
    } catch (error) {
      return toSwitchboardError(error, 'CONNECTION_FAILED');
    }
    if (this.#isClosed()) {
      await legacy.close();
      return new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed');
    }
    legacy.onclose = () => {
      this.#closing ??= this.#shutdown();
    };
    if (this.#h.protocolVersion !== undefined) legacy.setProtocolVersion(this.#h.protocolVersion);
    this.#legacy = legacy;
    this.#mode = 'sse';
    return legacy;
  }

  /** A method, not a field read, so that TypeScript does not narrow the state across awaits. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #assertOpen(): void {
    if (this.#state !== 'open') {
      throw new SwitchboardError(
        this.#state === 'closed' ? 'TRANSPORT_CLOSED' : 'NOT_STARTED',
        this.#state === 'closed' ? 'Transport closed' : 'Transport not started; call start() before send()',
      );
    }
  }

  async #shutdown(): Promise<void> {
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#abort.abort();
    const legacy = this.#legacy;
    const sessionId = this.#h.sessionId;
    try {
      if (legacy !== undefined) {
        legacy.onclose = undefined;
        await legacy.close();
      } else if (wasOpen && this.#opts.terminateOnClose && sessionId !== undefined) {
        await deleteSession(this.#url, await this.#h.bodiless('*/*', sessionId), {
          signal: AbortSignal.timeout(this.#opts.closeTimeoutMs),
          dispatcher: this.#opts.dispatcher,
          strict: false,
        });
      }
    } finally {
      try {
        this.onclose?.();
      } catch {
        // onclose is the last word; nothing is left to report to.
      }
    }
  }
}
