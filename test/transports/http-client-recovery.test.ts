import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import { startV1HttpServer, type V1HttpServer } from '../fixtures/http-client/v1-http-server.js';

const text = (result: unknown): string => (result as { content: { text?: string }[] }).content[0]?.text ?? '';

let server: V1HttpServer | undefined;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  await server?.close();
  server = undefined;
});

function initializeCount(s: V1HttpServer): number {
  // Initialize POSTs are the only ones sent without a session id.
  return s.seen.filter((r) => r.method === 'POST' && r.headers['mcp-session-id'] === undefined).length;
}

describe.each([404, 400] as const)(
  'transparent session recovery (server answers %i for a forgotten session)',
  (status) => {
    it.each([
      ['v1', () => new V1Client({ name: 't', version: '1' })],
      ['v2', () => new V2Client({ name: 't', version: '1' })],
    ])('an SDK %s Client keeps working after the server forgot the session', async (_name, makeClient) => {
      server = await startV1HttpServer({ unknownSessionStatus: status });
      const recovered: { previousSessionId: string | undefined; sessionId: string | undefined }[] = [];
      const transport = new StreamableHttpClientTransport(server.url, {
        onSessionRecovered: (i) => recovered.push(i),
      });
      const client = makeClient();
      closers.push(() => client.close());
      await client.connect(transport);
      const first = transport.sessionId;
      expect(text(await client.callTool({ name: 'echo', arguments: { message: 'before' } }))).toBe('before');

      await server.forgetSessions();
      expect(text(await client.callTool({ name: 'echo', arguments: { message: 'after' } }))).toBe('after');

      expect(recovered).toHaveLength(1);
      expect(recovered[0]?.previousSessionId).toBe(first);
      expect(transport.sessionId).not.toBe(first);
      expect(server.sessionIds()).toEqual([transport.sessionId]);
      expect(initializeCount(server)).toBe(2);
      // The replayed handshake is complete: notifications/initialized was sent in the new session, and the
      // standalone GET stream re-opened in it.
      await expect
        .poll(
          () =>
            server?.seen.filter(
              (r) => r.method === 'GET' && r.headers['mcp-session-id'] === transport.sessionId,
            ).length,
        )
        .toBeGreaterThanOrEqual(1);
    });
  },
);

describe('session recovery details', () => {
  it('re-initializes once for many requests failing at the same time, and retries each', async () => {
    server = await startV1HttpServer();
    let recoveries = 0;
    const transport = new StreamableHttpClientTransport(server.url, {
      onSessionRecovered: () => recoveries++,
    });
    const client = new V1Client({ name: 't', version: '1' });
    closers.push(() => client.close());
    await client.connect(transport);
    await server.forgetSessions();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client.callTool({ name: 'echo', arguments: { message: `m${i}` } })),
    );
    expect(results.map(text)).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`));
    expect(recoveries).toBe(1);
    expect(initializeCount(server)).toBe(2);
  });

  it('does not re-initialize for a 400 in a session that is still alive', async () => {
    server = await startV1HttpServer({ unknownSessionStatus: 400 });
    let recoveries = 0;
    const transport = new StreamableHttpClientTransport(server.url, {
      onSessionRecovered: () => recoveries++,
    });
    const client = new V1Client({ name: 't', version: '1' });
    closers.push(() => client.close());
    await client.connect(transport);
    // Not a valid JSON-RPC message: the SDK server answers 400 within the live session.
    const broken = { jsonrpc: '2.0', id: 99, method: 42 } as unknown as JSONRPCMessage;
    await expect(transport.send(broken)).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      details: { status: 400 },
    });
    expect(recoveries).toBe(0);
    expect(initializeCount(server)).toBe(1);
  });

  it('fails with the HTTP error when recovery is off', async () => {
    server = await startV1HttpServer();
    const transport = new StreamableHttpClientTransport(server.url, { sessionRecovery: false });
    const client = new V1Client({ name: 't', version: '1' });
    closers.push(() => client.close());
    await client.connect(transport);
    await server.forgetSessions();
    await expect(client.listTools()).rejects.toMatchObject({ code: 'HTTP_ERROR', details: { status: 404 } });
  });

  it('reports SESSION_EXPIRED when the server refuses a new session, and recovers on a later send', async () => {
    server = await startV1HttpServer();
    const transport = new StreamableHttpClientTransport(server.url);
    const client = new V1Client({ name: 't', version: '1' });
    closers.push(() => client.close());
    await client.connect(transport);
    await server.forgetSessions();
    server.setAcceptNewSessions(false);
    await expect(client.listTools()).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      details: { status: 503 },
    });
    server.setAcceptNewSessions(true);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(server.sessionIds()).toEqual([transport.sessionId]);
  });

  it('does not treat an authorization failure as a lost session', async () => {
    server = await startV1HttpServer({ token: 'ok' });
    let token = 'ok';
    let recoveries = 0;
    const transport = new StreamableHttpClientTransport(server.url, {
      token: () => token,
      onSessionRecovered: () => recoveries++,
    });
    const client = new V1Client({ name: 't', version: '1' });
    closers.push(() => client.close());
    await client.connect(transport);
    token = 'revoked';
    await expect(client.listTools()).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(recoveries).toBe(0);
  });
});
