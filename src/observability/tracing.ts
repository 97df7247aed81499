import type { Context, Span, TextMapGetter, TextMapSetter, Tracer } from '@opentelemetry/api';
import { loadOpenTelemetry } from '../lazy-modules.js';
import type { JSONRPCRequest } from '../protocol/messages.js';

/** Name of the tracer the switchboard asks the global OpenTelemetry API for. */
export const TRACER_NAME = 'mcp-switchboard';

type Meta = Record<string, unknown>;

/** Reads propagation keys (`traceparent`, `tracestate`, `baggage`) from a `params._meta` object. */
export const metaGetter: TextMapGetter<Meta> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/** Writes propagation keys into a `params._meta` object (unprefixed, as SEP-414 and the semconv say). */
export const metaSetter: TextMapSetter<Meta> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Where every copy of the OpenTelemetry API (major version 1) keeps what was registered globally. */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/**
 * `true` once an OpenTelemetry SDK registered a global tracer provider (before that, the API's tracers
 * are no-ops and there is nothing to record or propagate).
 */
export function tracingRegistered(): boolean {
  // Registering a provider goes through that global: without it there is none, and the API need not
  // be loaded to know it (a stdio proxy answers without loading it).
  const registered = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_GLOBAL];
  if (registered?.trace === undefined) return false;
  const { ProxyTracerProvider, trace } = loadOpenTelemetry();
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer(TRACER_NAME) !== undefined;
}

/** The tracer of the global API: a no-op until the application registers an OpenTelemetry SDK. */
export function switchboardTracer(version?: string): Tracer {
  return loadOpenTelemetry().trace.getTracer(TRACER_NAME, version);
}

/**
 * The span name and attributes of an MCP request, per the OpenTelemetry MCP conventions: name
 * `{mcp.method.name} {target}` where the target is the tool or prompt name.
 */
export function requestSpanShape(
  request: JSONRPCRequest,
  sessionId?: string,
): {
  name: string;
  attributes: Record<string, string>;
} {
  const attributes: Record<string, string> = {
    'mcp.method.name': request.method,
    'jsonrpc.request.id': String(request.id),
  };
  if (sessionId !== undefined) attributes['mcp.session.id'] = sessionId;
  const params = request.params;
  const name = typeof params?.name === 'string' ? params.name : undefined;
  const uri = typeof params?.uri === 'string' ? params.uri : undefined;
  let target: string | undefined;
  if (request.method === 'tools/call' && name !== undefined) {
    attributes['gen_ai.tool.name'] = name;
    attributes['gen_ai.operation.name'] = 'execute_tool';
    target = name;
  } else if (request.method === 'prompts/get' && name !== undefined) {
    attributes['gen_ai.prompt.name'] = name;
    target = name;
  }
  if (uri !== undefined && request.method.startsWith('resources/')) attributes['mcp.resource.uri'] = uri;
  return { name: target === undefined ? request.method : `${request.method} ${target}`, attributes };
}

/**
 * Starts the CLIENT span of a request forwarded to a backend, as a child of the trace context the
 * client put in `params._meta` (if any), and returns the request to send: a copy whose `_meta` carries
 * this span's context (`traceparent`, `tracestate`), or the request itself when there is nothing to
 * propagate (no SDK registered and no incoming context). The original message is never modified.
 */
export function startRequestSpan(
  tracer: Tracer,
  request: JSONRPCRequest,
  sessionId?: string,
): { span: Span; message: JSONRPCRequest } {
  const { SpanKind, context, isSpanContextValid, propagation, trace } = loadOpenTelemetry();
  const meta = request.params?._meta;
  const parent: Context = meta ? propagation.extract(context.active(), meta, metaGetter) : context.active();
  const { name, attributes } = requestSpanShape(request, sessionId);
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  if (!isSpanContextValid(span.spanContext())) return { span, message: request };
  const outMeta: Meta = { ...meta };
  propagation.inject(trace.setSpan(parent, span), outMeta, metaSetter);
  return { span, message: { ...request, params: { ...request.params, _meta: outMeta } } };
}
