import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import { startV1HttpServer, type V1HttpServer } from '../fixtures/http-client/v1-http-server.js';

const text = (result: unknown): string => (result as { content: { text?: string }[] }).content[0]?.text ?? '';

let server: V1HttpServer | undefined;
let client: V1Client | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function connectLogging(s: V1HttpServer, transport: StreamableHttpClientTransport): Promise<unknown[]> {
  const c = new V1Client({ name: 't', version: '1' });
  client = c;
  const logs: unknown[] = [];
  c.fallbackNotificationHandler = (n) => {
    if (n.method === 'notifications/message') logs.push(n.params?.data);
    return Promise.resolve();
  };
  await c.connect(transport);
  await c.setLoggingLevel('info');
  await expect.poll(() => s.seen.filter((r) => r.method === 'GET').length).toBe(1);
  return logs;
}

describe('resumable streams (server with an event store)', () => {
  it("reconnects the GET stream after the server's retry: delay, with Last-Event-ID, and gets the missed events", async () => {
    server = await startV1HttpServer({ eventStore: true, retryInterval: 1500 });
    // A short backoff, so that waiting 1.5 s can only come from honouring the server's retry field.
    const transport = new StreamableHttpClientTransport(server.url, { reconnect: { initialDelayMs: 50 } });
    const logs = await connectLogging(server, transport);

    await server.broadcastLog('one');
    await expect.poll(() => logs).toEqual(['one']);

    expect(text(await client?.callTool({ name: 'close-get-stream', arguments: {} }))).toBe('closed');
    const closedAt = server.seen.filter((r) => r.method === 'POST').at(-1)?.at ?? 0;
    await server.broadcastLog('two'); // sent while the client is disconnected: stored, then replayed

    await expect.poll(() => logs, { timeout: 10_000 }).toEqual(['one', 'two']);
    const gets = server.seen.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(2);
    const resumed = gets[1];
    expect(resumed?.headers['last-event-id']).toEqual(expect.any(String));
    expect(resumed?.headers['last-event-id']).not.toBe('');
    expect((resumed?.at ?? 0) - closedAt).toBeGreaterThanOrEqual(1450);

    // The resumed stream stays the session's GET stream.
    await server.broadcastLog('three');
    await expect.poll(() => logs).toEqual(['one', 'two', 'three']);
  });

  it('polls a POST response stream the server closed early, and delivers the response', async () => {
    server = await startV1HttpServer({ eventStore: true, retryInterval: 200 });
    const transport = new StreamableHttpClientTransport(server.url);
    await connectLogging(server, transport);
    const result = await client?.callTool({ name: 'poll', arguments: { delayMs: 600 } });
    expect(text(result)).toBe('polled');
    const resumes = server.seen.filter((r) => r.method === 'GET' && r.headers['last-event-id'] !== undefined);
    expect(resumes.length).toBeGreaterThanOrEqual(1);
  });

  it('resumes a request in a new transport of the same session with a resumption token', async () => {
    server = await startV1HttpServer({ eventStore: true, retryInterval: 100 });
    const first = new StreamableHttpClientTransport(server.url, { terminateOnClose: false });
    const a = new V1Client({ name: 't', version: '1' });
    await a.connect(first);
    const sessionId = first.sessionId;
    const protocolVersion = first.protocolVersion;
    let token: string | undefined;
    const abandoned = a.callTool({ name: 'poll', arguments: { delayMs: 800 } }, undefined, {
      onresumptiontoken: (t) => {
        token = t;
      },
    });
    abandoned.catch(() => undefined);
    await expect.poll(() => token).toEqual(expect.any(String));
    await a.close(); // the process "restarts": the session stays on the server (no DELETE)
    expect(server.seen.some((r) => r.method === 'DELETE')).toBe(false);

    const second = new StreamableHttpClientTransport(server.url, { sessionId, protocolVersion });
    const b = new V1Client({ name: 't', version: '1' });
    client = b;
    await b.connect(second); // a known session: no initialize
    const resumed = await b.request(
      { method: 'tools/call', params: { name: 'poll', arguments: { delayMs: 800 } } },
      CallToolResultSchema,
      { resumptionToken: token },
    );
    expect(text(resumed)).toBe('polled');
    expect(server.seen.filter((r) => r.headers['last-event-id'] === token).length).toBeGreaterThanOrEqual(1);
    expect(server.sessionIds()).toEqual([sessionId]);
  });

  it('fails the request at once when a response stream ends without its response and cannot resume', async () => {
    server = await startV1HttpServer(); // no event store: no event ids, so nothing to resume from
    const transport = new StreamableHttpClientTransport(server.url, { sessionRecovery: false });
    const c = new V1Client({ name: 't', version: '1' });
    client = c;
    await c.connect(transport);
    const pending = c.callTool({ name: 'countdown', arguments: { steps: 100, delayMs: 100 } }, undefined, {
      timeout: 60_000,
    });
    await expect.poll(() => server?.seen.filter((r) => r.method === 'POST').length).toBe(3);
    await server.forgetSessions(); // ends the response stream without a response
    await expect(pending).rejects.toThrow(/response stream ended before the response/);
  });
});
