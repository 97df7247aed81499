import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { tracing } from '../../src/middleware/tracing.js';
import { flush, ok, request, rig } from './harness.js';

const CLIENT_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('tracing', () => {
  afterEach(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('without an SDK, passes messages unchanged (the client traceparent goes through as is)', async () => {
    const r = await rig([tracing()], (req, reply) => void reply(ok(req.id)));
    const message = request(1, 'tools/call', { name: 'echo', _meta: { traceparent: CLIENT_TRACEPARENT } });
    await r.transport.send(message);
    await flush();
    expect(r.atBackend[0]).toBe(message);
    expect(r.delivered).toEqual([ok(1)]);
    await r.close();
  });

  it('with an SDK, makes a CLIENT span per request, child of the client context, and propagates its traceparent in _meta', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());

    const r = await rig([tracing({ sessionId: 's1' })], (req, reply) => {
      if (req.id === 2)
        void reply({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'bad arguments' } });
      else void reply(ok(req.id, { content: [] }));
    });
    const original = request(1, 'tools/call', {
      name: 'echo',
      arguments: { a: 1 },
      _meta: { traceparent: CLIENT_TRACEPARENT, progressToken: 7 },
    });
    await r.transport.send(original);
    await r.transport.send(request(2, 'prompts/get', { name: 'greet' }));
    await flush();

    const sent = r.atBackend[0] as unknown as {
      params: { _meta: Record<string, unknown>; arguments: unknown };
    };
    const traceparent = String(sent.params._meta.traceparent);
    const [, traceId, spanId] = traceparent.split('-');
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(spanId).not.toBe('00f067aa0ba902b7');
    expect(sent.params._meta.progressToken).toBe(7);
    expect(sent.params.arguments).toEqual({ a: 1 });
    // The caller's message is not modified.
    expect(original.params?._meta?.traceparent).toBe(CLIENT_TRACEPARENT);

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['prompts/get greet', 'tools/call echo']);
    const call = spans.find((s) => s.name === 'tools/call echo');
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.spanContext().spanId).toBe(spanId);
    expect(call?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(call?.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': '1',
      'mcp.session.id': 's1',
    });
    const failed = spans.find((s) => s.name === 'prompts/get greet');
    expect(failed?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'bad arguments' });
    expect(failed?.attributes['error.type']).toBe('-32602');
    await r.close();
    await provider.shutdown();
  });
});
