import { Client as V2Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { MetaKey, MODERN_PROTOCOL_VERSION } from '../../src/protocol/versions.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { probeEra } from '../../src/transports/http/client/era-detection.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import { v1Client, v2Client, type AnyClient } from '../fixtures/sdk-clients.js';
import { startV1HttpServer } from '../fixtures/http-client/v1-http-server.js';
import { startV1SseServer } from '../fixtures/http-client/v1-sse-server.js';
import {
  startV2HandlerServer,
  startV2SessionServer,
  type WebServer,
} from '../fixtures/http-client/web-servers.js';

const text = (result: unknown): string => (result as { content: { text?: string }[] }).content[0]?.text ?? '';

const SAMPLED = { role: 'assistant' as const, content: { type: 'text' as const, text: '42' }, model: 'm' };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function exercise(c: AnyClient): Promise<void> {
  expect((await c.listTools()).tools.map((t) => t.name)).toEqual(
    expect.arrayContaining(['echo', 'countdown', 'sample']),
  );
  const progress: number[] = [];
  expect(
    text(await c.callTool('countdown', { steps: 3, delayMs: 5 }, (p) => progress.push(p.progress))),
  ).toBe('counted down 3 steps');
  expect(progress).toEqual([1, 2, 3]);
  expect((await c.readResource('demo://readme')).contents[0]?.text).toContain('switchboard demo');
  expect(text(await c.callTool('sample', { question: '?' }))).toBe('model said: 42');
}

function modernClient(): V2Client {
  const c = new V2Client(
    { name: 'modern', version: '1' },
    { capabilities: { sampling: {} }, versionNegotiation: { mode: 'auto' } },
  );
  c.setRequestHandler('sampling/createMessage', () => SAMPLED);
  return c;
}

describe('against SDK v2 servers', () => {
  it.each([
    ['v1', v1Client],
    ['v2', v2Client],
  ])('2025 era: an SDK %s Client through a v2 WebStandardStreamableHTTPServerTransport', async (_n, make) => {
    const server = await startV2SessionServer();
    cleanups.push(() => server.close());
    const client = make();
    cleanups.push(() => client.close());
    const transport = new StreamableHttpClientTransport(server.url);
    await client.connect(transport);
    expect(transport.sessionId).toEqual(expect.any(String));
    await exercise(client);
    await client.close();
    expect(server.seen.some((r) => r.method === 'DELETE')).toBe(true);
  });

  it('2026-07-28: a negotiating SDK v2 Client through createMcpHandler, with the request-metadata headers', async () => {
    const server = await startV2HandlerServer({ legacy: 'reject' });
    cleanups.push(() => server.close());
    const c = modernClient();
    cleanups.push(() => c.close());
    const transport = new StreamableHttpClientTransport(server.url);
    await c.connect(transport);
    expect(transport.protocolVersion).toBe(MODERN_PROTOCOL_VERSION);
    expect(transport.sessionId).toBeUndefined();

    expect((await c.listTools()).tools.map((t) => t.name)).toContain('echo');
    const progress: number[] = [];
    const counted = await c.callTool(
      { name: 'countdown', arguments: { steps: 3, delayMs: 5 } },
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect(text(counted)).toBe('counted down 3 steps');
    expect(progress).toEqual([1, 2, 3]);
    expect((await c.readResource({ uri: 'demo://readme' })).contents[0]).toMatchObject({
      uri: 'demo://readme',
    });
    // No sampling here: in 2026-07-28 the server issues no requests (MRTR instead), and the fixture's
    // `sample` tool uses the 2025-era server→client request.

    const posts = server.seen.filter((r) => r.method === 'POST');
    expect(server.seen.every((r) => r.method === 'POST')).toBe(true); // no GET stream, no DELETE
    for (const r of posts) {
      expect(r.headers['mcp-protocol-version']).toBe(MODERN_PROTOCOL_VERSION);
      expect(r.headers['mcp-session-id']).toBeUndefined();
    }
    const call = posts.find((r) => r.headers['mcp-method'] === 'tools/call');
    expect(call?.headers['mcp-name']).toBe('countdown');
    const read = posts.find((r) => r.headers['mcp-method'] === 'resources/read');
    expect(read?.headers['mcp-name']).toBe('demo://readme');
  });

  it('2026-07-28: aborting a request closes its stream (the cancellation), without notifications/cancelled', async () => {
    const server = await startV2HandlerServer({ legacy: 'reject' });
    cleanups.push(() => server.close());
    const c = modernClient();
    cleanups.push(() => c.close());
    const transport = new StreamableHttpClientTransport(server.url);
    await c.connect(transport);
    expect(transport.hasPerRequestStream).toBe(true);
    const controller = new AbortController();
    const pending = c.callTool(
      { name: 'countdown', arguments: { steps: 200, delayMs: 50 } },
      {
        signal: controller.signal,
        onprogress: () => controller.abort(),
      },
    );
    await expect(pending).rejects.toThrow();
    await expect
      .poll(() => server.aborted.filter((r) => r.headers['mcp-method'] === 'tools/call').length)
      .toBe(1);
    expect(server.seen.some((r) => r.headers['mcp-method'] === 'notifications/cancelled')).toBe(false);
    // The transport stays usable.
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toBe('still here');
  });

  it('2026-07-28: calls onRequestStreamEnd when a request stream ends', async () => {
    const server = await startV2HandlerServer({ legacy: 'reject' });
    cleanups.push(() => server.close());
    const transport = new StreamableHttpClientTransport(server.url, {
      protocolVersion: MODERN_PROTOCOL_VERSION,
    });
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (m) => received.push(m);
    await transport.start();
    cleanups.push(() => transport.close());
    let ended = 0;
    await transport.send(
      {
        jsonrpc: '2.0',
        id: 'c1',
        method: 'tools/call',
        params: {
          name: 'countdown',
          arguments: { steps: 2, delayMs: 5 },
          _meta: {
            progressToken: 'p',
            [MetaKey.protocolVersion]: MODERN_PROTOCOL_VERSION,
            [MetaKey.clientCapabilities]: {},
          },
        },
      },
      { onRequestStreamEnd: () => ended++ },
    );
    await expect.poll(() => ended).toBe(1);
    expect(received.map((m) => m.method ?? 'response')).toEqual([
      'notifications/progress',
      'notifications/progress',
      'response',
    ]);
    expect(server.seen.at(-1)?.headers['mcp-name']).toBe('countdown');
  });

  it('a negotiating SDK v2 Client falls back to initialize against a 2025-only server', async () => {
    const server = await startV1HttpServer();
    cleanups.push(() => server.close());
    const c = modernClient();
    cleanups.push(() => c.close());
    const transport = new StreamableHttpClientTransport(server.url);
    await c.connect(transport);
    expect(transport.protocolVersion).not.toBe(MODERN_PROTOCOL_VERSION);
    expect(transport.sessionId).toEqual(expect.any(String));
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('hi');
  });

  it('an SDK v1 Client is served by the stateless 2025 fallback of createMcpHandler', async () => {
    const server = await startV2HandlerServer();
    cleanups.push(() => server.close());
    const c = v1Client();
    cleanups.push(() => c.close());
    const transport = new StreamableHttpClientTransport(server.url);
    await c.connect(transport);
    expect(transport.sessionId).toBeUndefined();
    expect(text(await c.callTool('echo', { message: 'stateless' }))).toBe('stateless');
  });

  it('sends Mcp-Param-* headers from TransportSendOptions.headers, never overriding transport headers', async () => {
    const server = await startV2HandlerServer({ legacy: 'reject' });
    cleanups.push(() => server.close());
    const transport = new StreamableHttpClientTransport(server.url);
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (m) => received.push(m);
    await transport.start();
    cleanups.push(() => transport.close());
    await transport.send(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'echo',
          arguments: { message: 'x' },
          _meta: { [MetaKey.protocolVersion]: MODERN_PROTOCOL_VERSION, [MetaKey.clientCapabilities]: {} },
        },
      },
      { headers: { 'Mcp-Param-Region': 'us-west1', 'Mcp-Method': 'spoofed', Authorization: 'Bearer nope' } },
    );
    await expect.poll(() => received.length).toBe(1);
    const post = server.seen.at(-1);
    expect(post?.headers['mcp-param-region']).toBe('us-west1');
    expect(post?.headers['mcp-method']).toBe('tools/call');
    expect(post?.headers.authorization).toBeUndefined();
  });
});

describe('probeEra()', () => {
  const probes: [string, () => Promise<WebServer | { url: URL; close(): Promise<void> }>, string][] = [
    ['createMcpHandler (2026-07-28)', () => startV2HandlerServer({ legacy: 'reject' }), 'stateless'],
    ['createMcpHandler with the 2025 fallback', () => startV2HandlerServer(), 'stateless'],
    ['an SDK v1 stateful server', () => startV1HttpServer(), 'session'],
    ['an SDK v2 stateful server', () => startV2SessionServer(), 'session'],
    ['an SDK v1 HTTP+SSE server', () => startV1SseServer(), 'legacy-sse'],
  ];
  it.each(probes)('recognises %s', async (_name, start, era) => {
    const server = await start();
    cleanups.push(() => server.close());
    const result = await probeEra(server.url);
    expect(result.era).toBe(era);
    if (result.era === 'stateless') expect(result.version).toBe(MODERN_PROTOCOL_VERSION);
  });

  it('reports an unreachable server as CONNECTION_FAILED, not as an era', async () => {
    const server = await startV1HttpServer();
    const url = server.url;
    await server.close();
    await expect(probeEra(url)).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  });
});
