import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition, valueOf } from './metrics-prom.js';
import { freePort, startServe, type Started } from './processes.js';

const started: Started[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

describe('switchboard serve /metrics', () => {
  it('shows requests by method and outcome, durations, sessions, bytes and breaker state after traffic', async () => {
    const adminPort = await freePort();
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--admin-bind',
      `127.0.0.1:${adminPort}`,
      '--metrics-bytes',
    ]);
    started.push(serve);
    const url = serve.urls[0] as string;
    const client = new Client({ name: 'metrics-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    await client.listTools();
    for (let i = 0; i < 3; i++) await client.callTool({ name: 'echo', arguments: { message: `hi ${i}` } });
    await expect(client.getPrompt({ name: 'no-such-prompt' })).rejects.toThrow();

    // Served on the HTTP frontend and on the admin endpoint alike.
    const fromFrontend = await fetch(new URL('/metrics', url));
    expect(fromFrontend.status).toBe(200);
    expect(fromFrontend.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = parseExposition(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text());

    expect(
      valueOf(samples, 'switchboard_requests_total', { mcp_method_name: 'tools/call', outcome: 'ok' }),
    ).toBe(3);
    expect(
      valueOf(samples, 'switchboard_requests_total', { mcp_method_name: 'tools/list', outcome: 'ok' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'switchboard_requests_total', { mcp_method_name: 'prompts/get', outcome: 'error' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'mcp_server_operation_duration_seconds_count', {
        mcp_method_name: 'tools/call',
        error_type: '',
      }),
    ).toBe(3);
    expect(
      valueOf(samples, 'mcp_server_operation_duration_seconds_count', {
        mcp_method_name: 'prompts/get',
        error_type: '-32602',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'mcp_server_operation_duration_seconds_bucket', {
        mcp_method_name: 'tools/call',
        error_type: '',
        le: '+Inf',
      }),
    ).toBe(3);
    expect(valueOf(samples, 'switchboard_requests_in_flight')).toBe(0);
    expect(valueOf(samples, 'switchboard_sessions')).toBe(1);
    expect(valueOf(samples, 'switchboard_sessions_opened_total')).toBe(1);
    expect(valueOf(samples, 'switchboard_message_bytes_total', { direction: 'in' })).toBeGreaterThan(100);
    expect(valueOf(samples, 'switchboard_message_bytes_total', { direction: 'out' })).toBeGreaterThan(100);
    expect(valueOf(samples, 'switchboard_circuit_breaker_state', { state: 'closed' })).toBe(1);
    expect(valueOf(samples, 'switchboard_circuit_breaker_state', { state: 'open' })).toBe(0);
    expect(valueOf(samples, 'switchboard_backend_restarts_total')).toBe(0);
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', backend: 'up', breaker: 'closed' });

    await client.close();
  });

  it('--no-metrics turns /metrics off', async () => {
    const adminPort = await freePort();
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--admin-bind',
      `127.0.0.1:${adminPort}`,
      '--no-metrics',
    ]);
    started.push(serve);
    expect((await fetch(`http://127.0.0.1:${adminPort}/metrics`)).status).toBe(404);
  });
});
