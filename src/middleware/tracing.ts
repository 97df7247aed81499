import type { Span, Tracer } from '@opentelemetry/api';
import { loadOpenTelemetry } from '../lazy-modules.js';
import {
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { TOOL_ERROR, errorTypeLabel } from '../observability/metric-labels.js';
import { startRequestSpan, switchboardTracer, tracingRegistered } from '../observability/tracing.js';
import type { TransportMiddleware } from './pipe.js';
import { cancelledRequestId } from './request-outcome.js';
import { TransportDecorator } from './transport-decorator.js';

/** Options of {@link tracing}. */
export interface TracingOptions {
  /** The tracer (default: `mcp-switchboard` from the global API — a no-op until an SDK is registered). */
  tracer?: Tracer | undefined;
  /** Recorded as `mcp.session.id`. */
  sessionId?: string | undefined;
}

/**
 * OpenTelemetry spans for the requests sent through the wrapped transport (which faces a backend): one
 * CLIENT span per request, named and attributed per the OpenTelemetry MCP conventions, child of the
 * trace context the client sent in `params._meta`, ended when the answer arrives (status ERROR with
 * `error.type` for JSON-RPC errors, `tool_error` for tool results with `isError`). The span's W3C
 * `traceparent` (and `tracestate`) travel on to the backend in `params._meta`.
 *
 * Needs only `@opentelemetry/api`: without a registered SDK (and no `tracer` given) the connection is
 * returned undecorated — no cost, messages unchanged. Connections opened after an SDK is registered
 * are traced.
 *
 * @param options - tracer, session id
 * @example
 * ```ts
 * // after registering an OpenTelemetry SDK (e.g. NodeSDK) in your process:
 * const backend = pipe(connect('http://10.0.0.5/mcp'), tracing());
 * ```
 */
export function tracing(options: TracingOptions = {}): TransportMiddleware {
  const given = options.tracer;
  // Without a tracer of its own and without a registered SDK, a connection gets no decorator at all:
  // tracing costs nothing until an SDK is registered (connections opened afterwards are traced).
  return (inner) =>
    given !== undefined || tracingRegistered()
      ? new TracingTransport(inner, given ?? switchboardTracer(), options.sessionId)
      : inner;
}

class TracingTransport extends TransportDecorator {
  readonly #tracer: Tracer;
  readonly #sessionId: string | undefined;
  readonly #spans = new Map<RequestId, Span>();

  constructor(inner: Transport, tracer: Tracer, sessionId: string | undefined) {
    super(inner);
    this.#tracer = tracer;
    this.#sessionId = sessionId;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!isRequest(message)) {
      const cancelled = cancelledRequestId(message);
      if (cancelled !== undefined) this.#end(cancelled, 'cancelled', 'cancelled');
      return this.inner.send(message, options);
    }
    const { span, message: out } = startRequestSpan(this.#tracer, message, this.#sessionId);
    if (span.isRecording()) this.#spans.set(message.id, span);
    else span.end();
    return this.inner.send(out, options);
  }

  override close(): Promise<void> {
    this.#endAll();
    return super.close();
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#spans.size > 0 && isResponse(message) && message.id !== undefined) {
      if (isErrorResponse(message))
        this.#end(
          message.id,
          errorTypeLabel(message.error),
          message.error.message,
          String(message.error.code),
        );
      else if ((message.result as { isError?: unknown }).isError === true)
        this.#end(message.id, TOOL_ERROR, TOOL_ERROR);
      else this.#end(message.id);
    }
    this.deliver(message, extra);
  }

  protected override handleClose(): void {
    this.#endAll();
    super.handleClose();
  }

  #end(id: RequestId, errorType?: string, description?: string, statusCode?: string): void {
    const span = this.#spans.get(id);
    if (span === undefined) return;
    this.#spans.delete(id);
    if (errorType !== undefined) {
      span.setAttribute('error.type', errorType);
      if (statusCode !== undefined) span.setAttribute('rpc.response.status_code', statusCode);
      span.setStatus({
        code: loadOpenTelemetry().SpanStatusCode.ERROR,
        ...(description === undefined ? {} : { message: description }),
      });
    }
    span.end();
  }

  #endAll(): void {
    for (const id of [...this.#spans.keys()]) this.#end(id, 'closed', 'connection closed');
  }
}
