import type { ServerResponse } from 'node:http';
import { SwitchboardError, toSwitchboardError } from '../../../errors.js';
import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import {
  isResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageParams,
  type RequestId,
} from '../../../protocol/messages.js';
import { MetaKey } from '../../../protocol/versions.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../../transport.js';
import { encodeSseEvent } from '../shared/sse-encoding.js';
import type { Acceptable } from './content-negotiation.js';
import { replyError, replyJson } from './http-reply.js';
import type { KeepAliveMember, KeepAliveTicker } from './keep-alive.js';
import { RESOLVED, SseWriter, type SseWriterOptions } from './sse-writer.js';
import type { ToolHeaderRegistry } from './tool-headers.js';
import { InboundGate } from './inbound-gate.js';

/** Listener-wide facilities the stateless transport uses. */
export interface StatelessContext {
  sse: SseWriterOptions;
  /** Ticks while requests are in flight: a silent request gets its SSE headers (and keep-alives). */
  ticker: KeepAliveTicker;
  tools: ToolHeaderRegistry;
  maxQueuedBeforeStart: number;
  onEnded: (transport: StatelessHttpTransport) => void;
}

/** A request whose response stream the client closed: the 2026-07-28 cancellation signal. */
export interface CancelledRequest {
  /** The id the server saw (rewritten by the transport). */
  requestId: number;
  /** The id the client used. */
  clientRequestId: RequestId;
  method: string;
}

interface Exchange {
  readonly internalId: number;
  readonly clientId: RequestId;
  readonly method: string;
  readonly progressToken: string | number | undefined;
  /** The request asked for log messages (`_meta` logLevel). */
  readonly wantsLogs: boolean;
  readonly res: ServerResponse;
  readonly accept: Acceptable;
  writer: SseWriter | undefined;
  done: boolean;
  /** Keep-alive ticks seen before the first message; the second opens the stream. */
  ticks: number;
}

/** HTTP status of a JSON error answer where the spec names one (2026-07-28). */
function statusOf(message: JSONRPCMessage): number {
  if (!('error' in message)) return 200;
  const code = (message as { error?: { code?: unknown } }).error?.code;
  if (code === JsonRpcCode.MethodNotFound) return 404;
  if (
    code === JsonRpcCode.HeaderMismatch ||
    code === JsonRpcCode.MissingRequiredClientCapability ||
    code === JsonRpcCode.UnsupportedProtocolVersion
  ) {
    return 400;
  }
  return 200;
}

function noop(): void {
  // A failed write closes the response; the close handler turns that into a cancellation.
}

/**
 * The server side of the 2026-07-28 (stateless) Streamable HTTP era: **one long-lived transport per
 * listener** carrying every modern request from every client, handed to `onConnection` once (on the
 * first modern request). A stateless server (or a proxy's backend connection) is connected to it exactly
 * like to a stdio transport.
 *
 * Because many clients share it, request ids are rewritten to unique numbers on the way in and restored
 * on the way out, and so are progress tokens and subscription ids (`_meta` of `subscriptions/listen`
 * streams). What the server sends is routed by `relatedRequestId`, else by subscription id, progress
 * token or cancelled request id; an unrelated message has no stream in this era and is dropped.
 *
 * Each request is answered with JSON when its response is the first thing the server sends, and with a
 * request-scoped SSE stream as soon as a related notification comes first (or the request stays silent
 * for two keep-alive intervals).
 *
 * **Cancellation:** when a client closes a response stream before its response, the transport delivers
 * `notifications/cancelled { requestId, reason }` to `onmessage` (with the rewritten id, so a stdio
 * backend or an SDK server cancels the work) and calls {@link onrequestcancelled}. Nothing more is sent
 * for that request.
 */
export class StatelessHttpTransport implements Transport, KeepAliveMember {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  /** Observes client-side cancellations (stream closed before the response). */
  onrequestcancelled?: ((request: CancelledRequest) => void) | undefined;
  /** Always `'stateless'` (the 2026-07-28 era). */
  readonly era = 'stateless' as const;
  /** Closing a response stream cancels its request (SDK v2 flag). */
  readonly hasPerRequestStream = true;
  sessionId?: undefined;

  readonly #ctx: StatelessContext;
  readonly #sse: SseWriterOptions;
  readonly #gate: InboundGate;
  readonly #inflight = new Map<number, Exchange>();
  #nextId = 1;
  #supported: string[] | undefined;

  /** @internal Created by the HTTP listener. */
  constructor(ctx: StatelessContext) {
    this.#ctx = ctx;
    this.#gate = new InboundGate(ctx.maxQueuedBeforeStart, (m, extra) => this.#handOver(m, extra));
    this.#sse = { ...ctx.sse, onFailure: this.#report };
  }

  /** Requests currently in flight. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** The versions the connected server declared (SDK v2 `setSupportedProtocolVersions`), if it did. */
  get supportedProtocolVersions(): readonly string[] | undefined {
    return this.#supported;
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#gate.closed;
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.#supported = [...versions];
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const refusal = this.#gate.sendRefusal('Transport closed');
    if (refusal) return Promise.reject(refusal);
    if (isResponse(message)) return this.#sendResponse(message);
    if (typeof message.method === 'string' && !('id' in message && message.id !== undefined)) {
      return this.#sendNotification(message, options);
    }
    // Server→client requests do not exist in this era (MRTR replaces them).
    this.#report(
      new SwitchboardError(
        'INVALID_MESSAGE',
        `Dropped server request "${String(message.method)}": not allowed in 2026-07-28`,
      ),
    );
    return RESOLVED;
  }

  close(): Promise<void> {
    if (!this.#gate.close()) return RESOLVED;
    this.#ctx.ticker.delete(this);
    const open = [...this.#inflight.values()];
    this.#inflight.clear();
    for (const ex of open) {
      ex.done = true;
      if (ex.writer) ex.writer.end();
      else replyError(ex.res, 503, JsonRpcCode.ConnectionClosed, 'Server shutting down', { id: ex.clientId });
    }
    try {
      this.#ctx.onEnded(this);
    } finally {
      try {
        this.onclose?.();
      } catch (error) {
        this.#report(toSwitchboardError(error));
      }
    }
    return RESOLVED;
  }

  /** `true` when the queue before `start()` is full. @internal */
  get saturated(): boolean {
    return this.#gate.saturated;
  }

  /**
   * Takes one validated request POST; its answer is written to `res` when the server responds.
   * @internal Called by the HTTP layer.
   */
  handleRequest(
    res: ServerResponse,
    request: JSONRPCRequest,
    accept: Acceptable,
    extra: MessageExtraInfo,
  ): void {
    const internalId = this.#nextId++;
    const meta = request.params?._meta;
    const token = meta?.progressToken;
    const ex: Exchange = {
      internalId,
      clientId: request.id,
      method: request.method,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
      // Log messages never go on a subscriptions/listen stream (2026-07-28 logging).
      wantsLogs: typeof meta?.[MetaKey.logLevel] === 'string' && request.method !== 'subscriptions/listen',
      res,
      accept,
      writer: undefined,
      done: false,
      ticks: 0,
    };
    this.#inflight.set(internalId, ex);
    if (this.#inflight.size === 1) this.#ctx.ticker.add(this);
    res.on('close', () => this.#clientGone(ex));
    let params: MessageParams | undefined = request.params;
    if (ex.progressToken !== undefined && params) {
      params = { ...params, _meta: { ...meta, progressToken: internalId } };
    }
    const forwarded: JSONRPCRequest = { ...request, id: internalId };
    if (params !== undefined) forwarded.params = params;
    this.#deliver(forwarded, extra);
  }

  /**
   * Takes a client notification (answered 202 by the HTTP layer). A `notifications/cancelled` names the
   * client's own id, which is ambiguous across clients: it is not forwarded (closing the stream is the
   * cancellation signal on HTTP).
   * @internal
   */
  handleNotification(notification: JSONRPCNotification, extra: MessageExtraInfo): void {
    if (notification.method === 'notifications/cancelled') return;
    this.#deliver(notification, extra);
  }

  /** Opens SSE for requests that stayed silent for two ticks, so intermediaries see headers. @internal */
  keepAliveTick(): void {
    for (const ex of this.#inflight.values()) {
      if (ex.writer !== undefined || !ex.accept.sse) continue;
      if (++ex.ticks >= 2) this.#openStream(ex);
    }
  }

  #deliver(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    this.#gate.receive(message, extra);
  }

  #handOver(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    try {
      this.onmessage?.(message, extra);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  #sendResponse(message: JSONRPCMessage): Promise<void> {
    const id = message.id;
    const ex = typeof id === 'number' ? this.#inflight.get(id) : undefined;
    if (ex === undefined) return RESOLVED; // cancelled (the client closed the stream) or unknown
    this.#finish(ex);
    const result = (message as { result?: Record<string, unknown> }).result;
    if (ex.method === 'tools/list' && result !== undefined) this.#ctx.tools.learn(result);
    const json = JSON.stringify(this.#restoreResponse(message, ex, result));
    if (ex.writer) ex.writer.end(encodeSseEvent(json));
    else replyJson(ex.res, statusOf(message), json);
    return RESOLVED;
  }

  #sendNotification(message: JSONRPCNotification, options: TransportSendOptions | undefined): Promise<void> {
    const ex = this.#route(message, options);
    if (ex === undefined) return RESOLVED; // unrelated to any live request: no stream may carry it
    if (message.method === 'notifications/cancelled' && message.params?.requestId === ex.internalId) {
      // The server tore a subscription down; on HTTP closing its stream is the signal.
      this.#finish(ex);
      if (ex.writer) ex.writer.end();
      else
        replyJson(
          ex.res,
          200,
          JSON.stringify({ jsonrpc: '2.0', id: ex.clientId, result: { resultType: 'complete' } }),
        );
      return RESOLVED;
    }
    if (ex.writer === undefined) {
      if (!ex.accept.sse) return RESOLVED; // a JSON-only client cannot receive notifications
      this.#openStream(ex);
    }
    const w = ex.writer as SseWriter;
    const written = w.write(encodeSseEvent(JSON.stringify(this.#restoreNotification(message, ex))));
    return written === RESOLVED ? written : written.catch(noop);
  }

  #route(message: JSONRPCNotification, options: TransportSendOptions | undefined): Exchange | undefined {
    let key: unknown = options?.relatedRequestId;
    if (key === undefined) {
      const params = message.params;
      const subscription = params?._meta?.[MetaKey.subscriptionId];
      if (subscription !== undefined) key = subscription;
      else if (message.method === 'notifications/progress') key = params?.progressToken;
      else if (message.method === 'notifications/cancelled') key = params?.requestId;
      else if (message.method === 'notifications/message') return this.#onlyLogRequest();
    }
    return typeof key === 'number' ? this.#inflight.get(key) : undefined;
  }

  /**
   * Where an unrelated log message goes (a stdio backend cannot say which request it logs for): the one
   * request in flight that asked for logs; with several it is ambiguous and dropped, never guessed.
   */
  #onlyLogRequest(): Exchange | undefined {
    let only: Exchange | undefined;
    for (const ex of this.#inflight.values()) {
      if (!ex.wantsLogs) continue;
      if (only !== undefined) return undefined;
      only = ex;
    }
    return only;
  }

  #restoreNotification(message: JSONRPCNotification, ex: Exchange): JSONRPCNotification {
    const params = message.params;
    if (params === undefined) return message;
    let out: MessageParams = params;
    if (message.method === 'notifications/progress' && params.progressToken === ex.internalId) {
      out = { ...out, progressToken: ex.progressToken };
    }
    const meta = params._meta;
    if (meta?.[MetaKey.subscriptionId] === ex.internalId) {
      out = { ...out, _meta: { ...meta, [MetaKey.subscriptionId]: ex.clientId } };
    }
    return out === params ? message : { ...message, params: out };
  }

  #restoreResponse(
    message: JSONRPCMessage,
    ex: Exchange,
    result: Record<string, unknown> | undefined,
  ): JSONRPCMessage {
    const meta = result?._meta as Record<string, unknown> | undefined;
    if (result !== undefined && meta?.[MetaKey.subscriptionId] === ex.internalId) {
      return {
        ...message,
        id: ex.clientId,
        result: { ...result, _meta: { ...meta, [MetaKey.subscriptionId]: ex.clientId } },
      };
    }
    return { ...message, id: ex.clientId };
  }

  #openStream(ex: Exchange): void {
    const w = new SseWriter(ex.res, this.#sse);
    ex.writer = w;
    w.open(undefined);
  }

  #finish(ex: Exchange): void {
    ex.done = true;
    this.#inflight.delete(ex.internalId);
    if (this.#inflight.size === 0) this.#ctx.ticker.delete(this);
  }

  /** The response stream closed: before the response, that is the cancellation of the request. */
  #clientGone(ex: Exchange): void {
    if (ex.done) return;
    this.#finish(ex);
    this.#deliver(
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: ex.internalId, reason: 'The client closed the response stream' },
      },
      undefined,
    );
    try {
      this.onrequestcancelled?.({
        requestId: ex.internalId,
        clientRequestId: ex.clientId,
        method: ex.method,
      });
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  readonly #report = (error: Error): void => {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  };
}
