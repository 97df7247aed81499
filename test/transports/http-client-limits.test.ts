import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JSONRPCMessage, JSONRPCRequest } from '../../src/protocol/messages.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';

/** A raw server: answers each POSTed request with what `answer` returns (status, type, body). */
async function rawServer(
  answer: (request: JSONRPCRequest) => { status?: number; type: string; body: string },
): Promise<{ url: URL; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const message = JSON.parse(Buffer.concat(chunks).toString()) as JSONRPCRequest;
      if (message.id === undefined) {
        res.writeHead(202).end();
        return;
      }
      const { status = 200, type, body } = answer(message);
      res.writeHead(status, { 'content-type': type }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sse = (...messages: unknown[]): string =>
  messages.map((m) => `event: message\ndata: ${JSON.stringify(m)}\n\n`).join('');
const result = (id: unknown, value: unknown): unknown => ({ jsonrpc: '2.0', id, result: { value } });
const big = (n: number): string => 'x'.repeat(n);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function open(
  answer: Parameters<typeof rawServer>[0],
): Promise<{ transport: StreamableHttpClientTransport; received: JSONRPCMessage[]; errors: Error[] }> {
  const server = await rawServer(answer);
  const transport = new StreamableHttpClientTransport(server.url, {
    maxMessageBytes: 4096,
    transport: 'streamable-http',
  });
  const received: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  transport.onmessage = (m) => received.push(m);
  transport.onerror = (e) => errors.push(e);
  await transport.start();
  cleanups.push(async () => {
    await transport.close();
    await server.close();
  });
  return { transport, received, errors };
}

const request = (id: number, method = 'tools/call'): JSONRPCRequest => ({ jsonrpc: '2.0', id, method });

describe('message size limits', () => {
  it('fails a request whose JSON response is too large, and stays usable', async () => {
    const { transport, received, errors } = await open((m) => ({
      type: 'application/json',
      body: JSON.stringify(result(m.id, m.method === 'big' ? big(10_000) : 'small')),
    }));
    await transport.send(request(1, 'big'));
    await transport.send(request(2, 'ok'));
    await expect.poll(() => received.length).toBe(2);
    const byId = new Map(received.map((m) => [(m as { id: number }).id, m]));
    expect(byId.get(1)).toMatchObject({ error: { code: -32600, data: { code: 'FRAME_TOO_LARGE' } } });
    expect(byId.get(2)).toMatchObject({ result: { value: 'small' } });
    expect(errors.map((e) => (e as { code?: string }).code)).toContain('FRAME_TOO_LARGE');
  });

  it('skips an oversized SSE event and goes on with the stream', async () => {
    const note = { jsonrpc: '2.0', method: 'notifications/message', params: { data: big(10_000) } };
    const { transport, received, errors } = await open((m) => ({
      type: 'text/event-stream',
      body: sse(
        note,
        { jsonrpc: '2.0', method: 'notifications/message', params: { data: 'fine' } },
        result(m.id, 'done'),
      ),
    }));
    await transport.send(request(1));
    await expect.poll(() => received.length).toBe(2);
    expect(received[0]).toMatchObject({ params: { data: 'fine' } });
    expect(received[1]).toMatchObject({ id: 1, result: { value: 'done' } });
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['FRAME_TOO_LARGE']);
  });

  it('fails the request at once when its SSE response itself is too large', async () => {
    const { transport, received } = await open((m) => ({
      type: 'text/event-stream',
      body: sse(result(m.id, big(10_000))),
    }));
    await transport.send(request(7));
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toMatchObject({ id: 7, error: { data: { code: 'FRAME_TOO_LARGE' } } });
  });

  it('refuses to send a message over the limit', async () => {
    const { transport } = await open((m) => ({
      type: 'application/json',
      body: JSON.stringify(result(m.id, 1)),
    }));
    await expect(
      transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { blob: big(10_000) } }),
    ).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });

  it('reports an unexpected content type as HTTP_ERROR', async () => {
    const { transport } = await open(() => ({ type: 'text/html', body: '<h1>proxy error</h1>' }));
    await expect(transport.send(request(1))).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      details: { contentType: 'text/html' },
    });
  });

  it('maps a 5xx to HTTP_ERROR with the status and the body excerpt', async () => {
    const { transport } = await open(() => ({ status: 502, type: 'text/plain', body: 'bad gateway' }));
    await expect(transport.send(request(1))).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      details: { status: 502, body: 'bad gateway' },
    });
  });
});
