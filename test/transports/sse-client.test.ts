import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import { connectHttp } from '../../src/transports/http/client/connect.js';
import { LegacySseClientTransport } from '../../src/transports/http/client/legacy-sse-client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import { v1Client, v2Client, type AnyClient } from '../fixtures/sdk-clients.js';
import { startV1SseServer, type V1SseServer } from '../fixtures/http-client/v1-sse-server.js';

const text = (result: unknown): string => (result as { content: { text?: string }[] }).content[0]?.text ?? '';

let server: V1SseServer | undefined;
let client: AnyClient | V1Client | undefined;

afterEach(async () => {
  await client?.close().catch(() => undefined);
  await server?.close();
  client = undefined;
  server = undefined;
});

async function exercise(c: AnyClient): Promise<void> {
  const { tools } = await c.listTools();
  expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'countdown', 'sample']));
  const progress: number[] = [];
  expect(
    text(await c.callTool('countdown', { steps: 3, delayMs: 5 }, (p) => progress.push(p.progress))),
  ).toBe('counted down 3 steps');
  expect(progress).toEqual([1, 2, 3]);
  expect((await c.readResource('demo://readme')).contents[0]?.text).toContain('switchboard demo');
  expect(text(await c.callTool('sample', { question: '?' }))).toBe('model said: 42');
}

describe.each([
  ['v1', v1Client],
  ['v2', v2Client],
])(
  'legacy HTTP+SSE client under an SDK %s Client, against an SDK v1 SSEServerTransport',
  (_name, makeClient) => {
    it('sse+http:// forces the legacy transport', async () => {
      server = await startV1SseServer();
      const c = makeClient();
      client = c;
      const transport = connect(`sse+${server.url.href}`);
      expect(transport).toBeInstanceOf(LegacySseClientTransport);
      await c.connect(transport);
      await exercise(c);
      expect(server.seen).not.toContain('POST /sse');
    });

    it('http:// falls back to the legacy transport when the server is a 2024-11-05 one', async () => {
      server = await startV1SseServer();
      const c = makeClient();
      client = c;
      const transport = connectHttp(server.url) as StreamableHttpClientTransport;
      await c.connect(transport);
      expect(transport.mode).toBe('sse');
      expect(transport.hasPerRequestStream).toBe(false);
      expect(transport.sessionId).toBeUndefined();
      await exercise(c);
      // The spec's detection: the initialize POST is refused (405), then GET yields the endpoint event.
      expect(server.seen.slice(0, 3)).toEqual(['POST /sse', 'GET /sse', 'POST /messages']);
    });
  },
);

describe('legacy HTTP+SSE client details', () => {
  it('does not fall back when the transport is forced to Streamable HTTP', async () => {
    server = await startV1SseServer();
    const c = v1Client();
    const transport = new StreamableHttpClientTransport(server.url, { transport: 'streamable-http' });
    const error = await c.connect(transport).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SwitchboardError);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', details: { status: 405 } });
    expect(server.seen).toEqual(['POST /sse']);
    await c.close();
  });

  it('refuses an endpoint event that points to another origin', async () => {
    // The SDK's SSEServerTransport only ever announces paths, so a raw server plays the hostile one.
    const hostile = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: endpoint\ndata: http://attacker.example:8080/messages?sessionId=1\n\n');
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hostile.address() as AddressInfo;
      const transport = new LegacySseClientTransport(new URL(`http://127.0.0.1:${port}/sse`));
      const error = await transport.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
      expect((error as Error).message).toMatch(/another origin/);
    } finally {
      hostile.closeAllConnections();
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
    }
  });

  it('fails when the server sends no endpoint event in time', async () => {
    server = await startV1SseServer();
    // A Streamable HTTP-ish URL that answers GET with 404: not a legacy server.
    const transport = new LegacySseClientTransport(new URL('/elsewhere', server.url), {
      legacyEndpointTimeoutMs: 500,
    });
    await expect(transport.start()).rejects.toMatchObject({ code: 'HTTP_ERROR', details: { status: 404 } });
  });

  it('closes when the server ends the stream, failing pending requests at once', async () => {
    server = await startV1SseServer();
    const c = new V1Client({ name: 't', version: '1' });
    client = c;
    const transport = new LegacySseClientTransport(server.url);
    let closed = 0;
    await c.connect(transport);
    const onclose = c.onclose;
    c.onclose = () => {
      closed++;
      onclose?.();
    };
    const pending = c.callTool({ name: 'countdown', arguments: { steps: 100, delayMs: 100 } }, undefined, {
      timeout: 60_000,
    });
    await expect.poll(() => server?.seen.filter((s) => s === 'POST /messages').length).toBe(3);
    await server.dropStreams();
    await expect(pending).rejects.toThrow(/Connection closed/);
    expect(closed).toBe(1);
    await expect(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' })).rejects.toMatchObject({
      code: 'TRANSPORT_CLOSED',
    });
  });
});
