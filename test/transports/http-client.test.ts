import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import { connectHttp } from '../../src/transports/http/client/connect.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import { v1Client, v2Client, type AnyClient } from '../fixtures/sdk-clients.js';
import { startV1HttpServer, type V1HttpServer } from '../fixtures/http-client/v1-http-server.js';

const text = (result: unknown): string =>
  (result as { content: { type: string; text?: string }[] }).content[0]?.text ?? '';

let server: V1HttpServer | undefined;
let client: AnyClient | V1Client | undefined;

afterEach(async () => {
  await client?.close().catch(() => undefined);
  await server?.close();
  client = undefined;
  server = undefined;
});

describe.each([
  ['v1', v1Client],
  ['v2', v2Client],
])('Streamable HTTP client under an SDK %s Client, against an SDK v1 server', (_name, makeClient) => {
  for (const jsonResponse of [false, true]) {
    it(`lists tools, calls with progress, reads a resource, answers sampling (${jsonResponse ? 'JSON' : 'SSE'} responses)`, async () => {
      server = await startV1HttpServer({ jsonResponse });
      const c = makeClient();
      client = c;
      const transport = new StreamableHttpClientTransport(server.url);
      await c.connect(transport);
      expect(transport.sessionId).toBe(server.sessionIds()[0]);
      expect(transport.mode).toBe('streamable-http');

      const { tools } = await c.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'countdown', 'sample']));

      const progress: number[] = [];
      const counted = await c.callTool('countdown', { steps: 3, delayMs: 5 }, (p) =>
        progress.push(p.progress),
      );
      expect(text(counted)).toBe('counted down 3 steps');
      // JSON mode cannot stream notifications before the result: progress is only seen over SSE.
      expect(progress).toEqual(jsonResponse ? [] : [1, 2, 3]);

      const readme = await c.readResource('demo://readme');
      expect(readme.contents[0]?.text).toContain('switchboard demo');

      if (!jsonResponse)
        expect(text(await c.callTool('sample', { question: 'life?' }))).toBe('model said: 42');

      const headersOfLastPost = server.seen.filter((r) => r.method === 'POST').at(-1)?.headers;
      expect(headersOfLastPost?.['mcp-session-id']).toBe(transport.sessionId);
      expect(headersOfLastPost?.['mcp-protocol-version']).toBe(transport.protocolVersion);

      await c.close();
      client = undefined;
      expect(server.seen.some((r) => r.method === 'DELETE')).toBe(true);
      expect(server.sessionIds()).toEqual([]);
    });
  }
});

describe('Streamable HTTP client: requests, headers and errors', () => {
  it('answers an elicitation request from the server', async () => {
    server = await startV1HttpServer();
    const c = new V1Client({ name: 't', version: '1' }, { capabilities: { elicitation: {} } });
    c.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name: 'Ada' } }));
    client = c;
    await c.connect(new StreamableHttpClientTransport(server.url));
    expect(text(await c.callTool({ name: 'elicit', arguments: {} }))).toBe('hello Ada');
  });

  it('receives server notifications on the standalone GET stream', async () => {
    server = await startV1HttpServer();
    const c = new V1Client({ name: 't', version: '1' });
    client = c;
    const logs: unknown[] = [];
    c.fallbackNotificationHandler = (n) => {
      logs.push(n.params?.data);
      return Promise.resolve();
    };
    await c.connect(new StreamableHttpClientTransport(server.url));
    await c.setLoggingLevel('info');
    await expect.poll(() => server?.seen.filter((r) => r.method === 'GET').length).toBe(1);
    await server.broadcastLog('hello on GET');
    await expect.poll(() => logs).toEqual(['hello on GET']);
  });

  it('sends the bearer token and custom headers on every request', async () => {
    server = await startV1HttpServer({ token: 's3cret' });
    const c = v1Client();
    client = c;
    await c.connect(
      connectHttp(server.url, { http: { token: () => 's3cret', headers: { 'X-Tenant': 'acme' } } }),
    );
    await c.listTools();
    for (const r of server.seen) {
      expect(r.headers.authorization).toBe('Bearer s3cret');
      expect(r.headers['x-tenant']).toBe('acme');
    }
    expect(new Set(server.seen.map((r) => r.method))).toEqual(new Set(['POST', 'GET']));
  });

  it('maps 401 to AUTH_REQUIRED with the challenge, and retries once when onUnauthorized refreshes', async () => {
    server = await startV1HttpServer({ token: 'good' });
    const refused = new StreamableHttpClientTransport(server.url, { token: 'bad' });
    const c1 = v1Client();
    const error = await c1.connect(refused).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe('AUTH_REQUIRED');
    expect((error as SwitchboardError).details.wwwAuthenticate).toBe('Bearer realm="test"');
    await c1.close();

    let token = 'stale';
    const challenges: (string | undefined)[] = [];
    const c2 = v1Client();
    client = c2;
    await c2.connect(
      new StreamableHttpClientTransport(server.url, {
        token: () => token,
        onUnauthorized: ({ wwwAuthenticate }) => {
          challenges.push(wwwAuthenticate);
          token = 'good';
          return true;
        },
      }),
    );
    expect((await c2.listTools()).tools.length).toBeGreaterThan(0);
    expect(challenges).toEqual(['Bearer realm="test"']);
  });

  it('reuses keep-alive connections instead of opening one per request', async () => {
    server = await startV1HttpServer();
    const c = v1Client();
    client = c;
    await c.connect(new StreamableHttpClientTransport(server.url));
    for (let i = 0; i < 30; i++) await c.callTool('echo', { message: `m${i}` });
    // One connection carries the GET stream; the 32 POSTs share what is left.
    expect(server.connectionCount()).toBeLessThanOrEqual(3);
  });

  it('maps a refused connection to CONNECTION_FAILED', async () => {
    const probe = await startV1HttpServer();
    const url = probe.url;
    await probe.close();
    const transport = new StreamableHttpClientTransport(url);
    await transport.start();
    const error = await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SwitchboardError).code).toBe('CONNECTION_FAILED');
    expect((error as SwitchboardError).details.errno).toBe('ECONNREFUSED');
    await transport.close();
  });

  it('keeps send() and close() within the Transport contract', async () => {
    server = await startV1HttpServer();
    const transport = new StreamableHttpClientTransport(server.url);
    await expect(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' })).rejects.toMatchObject({
      code: 'NOT_STARTED',
    });
    await transport.start();
    await expect(transport.start()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    let closes = 0;
    transport.onclose = () => closes++;
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    expect(closes).toBe(1);
    await expect(transport.send({ jsonrpc: '2.0', id: 2, method: 'ping' })).rejects.toMatchObject({
      code: 'TRANSPORT_CLOSED',
    });
  });
});
