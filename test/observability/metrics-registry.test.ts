import { describe, expect, it } from 'vitest';
import { Gauge, type Registry } from 'prom-client';
import { publishRateLimitRefusal } from '../../src/observability/channels.js';
import { errorTypeLabel, methodLabel } from '../../src/observability/metric-labels.js';
import { FastCounter } from '../../src/observability/fast-metrics.js';
import { SwitchboardMetrics } from '../../src/observability/metrics-registry.js';
import { metrics as metricsMiddleware } from '../../src/middleware/metrics.js';
import { parseExposition, valueOf } from '../e2e/metrics-prom.js';
import { flush, ok, request, rig } from '../middleware/harness.js';

describe('metrics registry', () => {
  it('counts rate-limit refusals published on the diagnostics channel, until closed', async () => {
    const metrics = new SwitchboardMetrics({ processMetrics: false });
    publishRateLimitRefusal({ scope: 'session', method: 'tools/call' });
    publishRateLimitRefusal({ scope: 'session' });
    publishRateLimitRefusal({ scope: 'ip' });
    metrics.rateLimitRefused('global');
    let samples = parseExposition(await metrics.render());
    expect(valueOf(samples, 'switchboard_rate_limit_refusals_total', { scope: 'session' })).toBe(2);
    expect(valueOf(samples, 'switchboard_rate_limit_refusals_total', { scope: 'ip' })).toBe(1);
    expect(valueOf(samples, 'switchboard_rate_limit_refusals_total', { scope: 'global' })).toBe(1);
    metrics.close();
    publishRateLimitRefusal({ scope: 'session' });
    samples = parseExposition(await metrics.render());
    expect(valueOf(samples, 'switchboard_rate_limit_refusals_total', { scope: 'session' })).toBe(2);
  });

  it('bounds label values: unknown methods are "other", error types are codes', () => {
    expect(methodLabel('tools/call')).toBe('tools/call');
    expect(methodLabel('x/evil-' + 'a'.repeat(100))).toBe('other');
    expect(errorTypeLabel({ code: -32602, message: 'bad' })).toBe('-32602');
    expect(errorTypeLabel({ code: -32001, message: 'timeout', data: { code: 'UPSTREAM_TIMEOUT' } })).toBe(
      'upstream_timeout',
    );
    expect(errorTypeLabel({ code: 42, message: 'custom' })).toBe('other');
    expect(errorTypeLabel({ code: -32000, message: 'x', data: { code: 'not a code!' } })).toBe('-32000');
  });

  it('the middleware counts server-side requests by outcome, tool errors apart, and in-flight', async () => {
    const metrics = new SwitchboardMetrics({ processMetrics: false });
    // Server side: the "far" end plays the client; requests arrive through receive(), answers leave via send().
    const r = await rig([metricsMiddleware({ metrics, measureBytes: true })]);
    await r.reply(request(1, 'tools/call', { name: 'a' }));
    await r.reply(request(2, 'tools/call', { name: 'b' }));
    await r.reply(request(3, 'weird/method'));
    await flush();
    let samples = parseExposition(await metrics.render());
    expect(valueOf(samples, 'switchboard_requests_in_flight')).toBe(3);
    await r.transport.send(ok(1, { content: [] }));
    await r.transport.send(ok(2, { content: [], isError: true }));
    await r.transport.send({ jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'no' } });
    samples = parseExposition(await metrics.render());
    expect(valueOf(samples, 'switchboard_requests_in_flight')).toBe(0);
    expect(
      valueOf(samples, 'switchboard_requests_total', { mcp_method_name: 'tools/call', outcome: 'ok' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'switchboard_requests_total', {
        mcp_method_name: 'tools/call',
        outcome: 'tool_error',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'switchboard_requests_total', { mcp_method_name: 'other', outcome: 'error' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'mcp_server_operation_duration_seconds_count', {
        mcp_method_name: 'other',
        error_type: '-32601',
      }),
    ).toBe(1);
    expect(valueOf(samples, 'switchboard_message_bytes_total', { direction: 'in' })).toBeGreaterThan(50);
    await r.close();
    metrics.close();
  });
});

describe('metrics registry built on first scrape', () => {
  it('counts before the prom-client registry exists and keeps metrics registered before it', async () => {
    const metrics = new SwitchboardMetrics();
    metrics.sessionOpened();
    metrics.retried('tools/list');
    metrics.breakerState('open');
    // A metric of the caller's, registered through metrics.registerMetric before the registry exists.
    new FastCounter(metrics, { name: 'app_things_total', help: 'Things.' }).series({}).inc(2);
    const samples = parseExposition(await metrics.render());
    expect(valueOf(samples, 'switchboard_sessions')).toBe(1);
    expect(valueOf(samples, 'switchboard_sessions_opened_total')).toBe(1);
    expect(valueOf(samples, 'switchboard_backend_exits_total')).toBe(0);
    expect(valueOf(samples, 'switchboard_retries_total', { mcp_method_name: 'tools/list' })).toBe(1);
    expect(valueOf(samples, 'switchboard_circuit_breaker_state', { state: 'open' })).toBe(1);
    expect(valueOf(samples, 'switchboard_circuit_breaker_state', { state: 'closed' })).toBe(0);
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(samples, 'app_things_total')).toBe(2);
    metrics.close();
  });

  it('hands the registry to whenRegistryBuilt callbacks at the first read, and at once after it', async () => {
    const metrics = new SwitchboardMetrics({ processMetrics: false });
    const seen: Registry[] = [];
    metrics.whenRegistryBuilt((registry) => {
      seen.push(registry);
      new Gauge({ name: 'app_late_gauge', help: 'A prom-client gauge.', registers: [registry] }).set(3);
    });
    expect(seen).toHaveLength(0); // nothing read the registry yet
    const samples = parseExposition(await metrics.render());
    expect(seen).toEqual([metrics.registry]);
    expect(valueOf(samples, 'app_late_gauge')).toBe(3);
    metrics.whenRegistryBuilt((registry) => seen.push(registry));
    expect(seen).toEqual([metrics.registry, metrics.registry]);
    metrics.close();
  });
});
