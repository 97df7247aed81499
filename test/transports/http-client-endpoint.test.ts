import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { LegacySseClientTransport } from '../../src/transports/http/client/legacy-sse-client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import { testCerts } from '../fixtures/certs.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** An HTTPS server answering every JSON-RPC request with `{ ok: true }` as JSON. */
async function httpsEcho(): Promise<URL> {
  const certs = await testCerts();
  const server = https.createServer({ cert: certs.server.cert, key: certs.server.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = JSON.parse(Buffer.concat(chunks).toString()) as { id?: number };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { ok: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}

describe('endpoint URIs of the HTTP client', () => {
  it('maps http(s):// to Streamable HTTP and sse+http(s):// to the legacy transport', () => {
    expect(connect('http://127.0.0.1:1/mcp')).toBeInstanceOf(StreamableHttpClientTransport);
    expect(connect('https://example.com/mcp')).toBeInstanceOf(StreamableHttpClientTransport);
    expect(connect('sse+http://127.0.0.1:1/sse')).toBeInstanceOf(LegacySseClientTransport);
    expect(connect('sse+https://example.com/sse')).toBeInstanceOf(LegacySseClientTransport);
  });

  it('turns user info in the URI into Basic auth, and leaves an explicit token alone', async () => {
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const port = (server.address() as AddressInfo).port;
    for (const [uri, options] of [
      [`http://al%40ice:s3cret@127.0.0.1:${port}/mcp`, {}],
      [`http://al%40ice:s3cret@127.0.0.1:${port}/mcp`, { http: { token: 'tok' } }],
    ] as const) {
      const t = connect(uri, options);
      await t.start();
      await t.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
      await t.close();
    }
    expect(seen).toEqual([`Basic ${Buffer.from('al@ice:s3cret').toString('base64')}`, 'Bearer tok']);
  });

  it('refuses transport-owned headers in the options', () => {
    expect(() => connect('http://127.0.0.1:1/mcp', { http: { headers: { 'Mcp-Session-Id': 'x' } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });

  it('uses options.tls for https:// (a private CA), and fails without it', async () => {
    const url = await httpsEcho();
    const certs = await testCerts();
    const transport = connect(url.href, { tls: { ca: certs.ca } });
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (m) => received.push(m);
    await transport.start();
    cleanups.push(() => transport.close());
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await expect.poll(() => received).toEqual([{ jsonrpc: '2.0', id: 1, result: { ok: true } }]);

    const untrusting = connect(url.href);
    await untrusting.start();
    cleanups.push(() => untrusting.close());
    await expect(untrusting.send({ jsonrpc: '2.0', id: 1, method: 'ping' })).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
    });
  });
});
