/**
 * The HTTP edge: DNS-rebinding and Origin checks (on by default), body limits, slow SSE readers,
 * the authenticate hook, extra routes, and the endpoint registry entry (http:// and https://).
 */
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import { isRequest } from '../../src/protocol/messages.js';
import type { Transport, MessageExtraInfo } from '../../src/transport.js';
import type { SessionTransport } from '../../src/transports/http/server/session-transport.js';
import { testCerts } from '../fixtures/certs.js';
import { post, postHeaders, request, startHttp, until } from '../fixtures/http-server-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A raw session-era backend that answers initialize and ping, and records the extra of each message. */
async function serve(http: Parameters<typeof startHttp>[1] = {}) {
  const sessions: SessionTransport[] = [];
  const extras: (MessageExtraInfo | undefined)[] = [];
  const started = await startHttp(
    (t: Transport) => {
      sessions.push(t as SessionTransport);
      t.onmessage = (m, extra) => {
        extras.push(extra);
        if (!isRequest(m)) return;
        const result =
          m.method === 'initialize'
            ? { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'r', version: '1' } }
            : {};
        void t.send({ jsonrpc: '2.0', id: m.id, result });
      };
      void t.start();
    },
    { responseMode: 'json', ...http },
  );
  cleanups.push(() => started.listener.close({ graceMs: 100 }));
  return { ...started, sessions, extras };
}

describe('DNS rebinding and Origin validation (default on)', () => {
  it('refuses a foreign Host on a loopback bind with 403', async () => {
    const s = await serve();
    const evil = await post(s.url, initialize, { host: `evil.example:${s.url.port}` });
    expect(evil.status).toBe(403);
    expect(evil.json()).toMatchObject({ jsonrpc: '2.0', error: { message: 'Forbidden: Host not allowed' } });
    expect(s.sessions).toHaveLength(0);
    for (const host of [`localhost:${s.url.port}`, `127.0.0.1:${s.url.port}`, `[::1]:${s.url.port}`]) {
      expect((await post(s.url, initialize, { host })).status).toBe(200);
    }
    // The legacy endpoints are guarded the same way.
    expect(
      (
        await request(new URL('/sse', s.url), {
          headers: { host: 'evil.example', accept: 'text/event-stream' },
        })
      ).status,
    ).toBe(403);
  });

  it('refuses a foreign Origin with 403 and a JSON-RPC error without id; loopback origins pass', async () => {
    const s = await serve();
    const evil = await post(s.url, initialize, { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    const body = evil.json() as Record<string, unknown>;
    expect(body).toMatchObject({ jsonrpc: '2.0', error: { message: 'Forbidden: Origin not allowed' } });
    expect('id' in body).toBe(false);
    expect((await post(s.url, initialize, { origin: 'null' })).status).toBe(403);
    expect((await post(s.url, initialize, { origin: 'http://localhost:5173' })).status).toBe(200);
  });

  it('honours allow-lists', async () => {
    const s = await serve({ allowedOrigins: ['https://app.example'], allowedHosts: ['mcp.internal'] });
    expect(
      (await post(s.url, initialize, { host: 'mcp.internal', origin: 'https://app.example' })).status,
    ).toBe(200);
    expect(
      (await post(s.url, initialize, { host: 'mcp.internal', origin: 'http://localhost:5173' })).status,
    ).toBe(403);
    expect((await post(s.url, initialize, { host: `127.0.0.1:${s.url.port}` })).status).toBe(403);
  });
});

describe('limits', () => {
  it('answers a body over the limit with 413 and a JSON-RPC error (declared and chunked)', async () => {
    const s = await serve();
    const big = JSON.stringify({ ...initialize, params: { ...initialize.params, pad: 'x'.repeat(4096) } });
    const small = await startHttp(() => undefined, {}, { maxMessageBytes: 1024 });
    cleanups.push(() => small.listener.close({ graceMs: 100 }));
    const declared = await request(small.url, { method: 'POST', headers: postHeaders(), body: big });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
    const chunked = await request(small.url, {
      method: 'POST',
      headers: { ...postHeaders(), 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(chunked.status).toBe(413);
    // The default limit (32 MiB) lets it through.
    expect((await request(s.url, { method: 'POST', headers: postHeaders(), body: big })).status).toBe(200);
  });

  it('refuses sessions beyond maxConnections with 503', async () => {
    const s = await startHttp(
      (t) => {
        t.onmessage = (m) => {
          if (isRequest(m)) void t.send({ jsonrpc: '2.0', id: m.id, result: {} });
        };
        void t.start();
      },
      { responseMode: 'json' },
      { maxConnections: 1 },
    );
    cleanups.push(() => s.listener.close({ graceMs: 100 }));
    expect((await post(s.url, initialize)).status).toBe(200);
    const refused = await post(s.url, initialize);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect((await request(new URL('/sse', s.url), { headers: { accept: 'text/event-stream' } })).status).toBe(
      503,
    );
  });

  it('serves only the configured eras', async () => {
    const s = await serve({ eras: { stateless: false } });
    const modern = await post(
      s.url,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } },
      },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
    );
    // A modern client reads -32022 without a modern version as "fall back to initialize".
    expect(modern.status).toBe(400);
    expect(modern.json()).toMatchObject({
      error: { code: -32022, data: { supported: ['2025-11-25', '2025-06-18', '2025-03-26'] } },
    });
    expect((await post(s.url, initialize)).status).toBe(200);
  });

  it('closes the stream of a client that stops reading, bounding memory, without affecting others', async () => {
    const errors: Error[] = [];
    const s = await serve({ maxSseBufferedBytes: 256 * 1024, eventStore: false });
    const sid = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    const other = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    const slow = s.sessions[0] as SessionTransport;
    slow.onerror = (e) => errors.push(e);
    // A client that opens the GET stream and then never reads.
    const socket = net.connect(Number(s.url.port), '127.0.0.1');
    cleanups.push(() => Promise.resolve(void socket.destroy()));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\nmcp-session-id: ${sid}\r\n\r\n`,
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.pause();
    let closedByServer = false;
    socket.on('close', () => (closedByServer = true));
    const chunk = 'y'.repeat(16 * 1024);
    // A fast producer that does not wait: far more than socket buffers plus the bound.
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 4000 && errors.length === 0; i++) {
      sends.push(
        slow.send({
          jsonrpc: '2.0',
          method: 'notifications/message',
          params: { level: 'info', data: chunk },
        }),
      );
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sends); // sends settle (the stream is gone; the session lives on)
    expect(errors[0]).toBeInstanceOf(SwitchboardError);
    expect((errors[0] as SwitchboardError).code).toBe('SLOW_CONSUMER');
    // Memory bound: the stream failed as soon as more than the bound was waiting in Node's buffers.
    const waiting = Number(/(\d+) bytes waiting/.exec(errors[0]?.message ?? '')?.[1]);
    expect(waiting).toBeGreaterThan(256 * 1024);
    expect(waiting).toBeLessThanOrEqual(256 * 1024 + chunk.length + 1024);
    socket.resume(); // drain what the kernel buffered; then the client sees the server's close
    await until(() => closedByServer, 20_000, 'the server to close the stuck stream');
    // Other sessions, and the slow session's POSTs, still work.
    expect(
      (await post(s.url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': other })).status,
    ).toBe(200);
    expect(
      (await post(s.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': sid })).status,
    ).toBe(200);
  });

  it('closes a stream whose client has not drained for sseDrainTimeoutMs (an awaiting producer)', async () => {
    const errors: Error[] = [];
    const s = await serve({ sseDrainTimeoutMs: 200, eventStore: false });
    const sid = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    const slow = s.sessions[0] as SessionTransport;
    slow.onerror = (e) => errors.push(e);
    const socket = net.connect(Number(s.url.port), '127.0.0.1');
    cleanups.push(() => Promise.resolve(void socket.destroy()));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\nmcp-session-id: ${sid}\r\n\r\n`,
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.pause();
    const chunk = 'z'.repeat(64 * 1024);
    for (let i = 0; i < 2000 && errors.length === 0; i++) {
      await slow.send({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: chunk },
      });
    }
    expect((errors[0] as SwitchboardError | undefined)?.code).toBe('SLOW_CONSUMER');
    expect(errors[0]?.message).toContain('did not read');
  });
});

describe('timeouts and keep-alives', () => {
  it('drops a client that trickles its headers (slowloris) after headersTimeoutMs', async () => {
    const s = await serve({ headersTimeoutMs: 300 });
    const socket = net.connect(Number(s.url.port), '127.0.0.1');
    cleanups.push(() => Promise.resolve(void socket.destroy()));
    let reply = '';
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    const closed = new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('close', () => resolve(Date.now() - started));
    });
    socket.write('POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    const elapsed = await closed;
    // After the configured 300 ms, not Node's 60 s default (a bound that holds on a busy machine too).
    expect(elapsed).toBeLessThan(20_000);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('writes keep-alive comments on idle SSE streams', async () => {
    const s = await serve({ keepAliveMs: 50 });
    const sid = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    const raw = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        s.url,
        { headers: { accept: 'text/event-stream', 'mcp-session-id': sid } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
            if (text.includes(': keepalive')) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(raw).toContain(': keepalive\n\n');
  });
});

describe('hooks', () => {
  it('authenticate: refusals carry status and headers; authInfo reaches the server; sessions are bound to the client', async () => {
    const s = await serve({
      authenticate: (req) => {
        const token = req.headers.authorization?.replace(/^Bearer /, '');
        if (token === undefined) {
          return {
            reject: {
              status: 401,
              message: 'Unauthorized',
              headers: { 'www-authenticate': 'Bearer realm="mcp"' },
            },
          };
        }
        return { authInfo: { token, clientId: token.split('-')[0] ?? '', scopes: [] } };
      },
    });
    const refused = await post(s.url, initialize);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="mcp"');
    const init = await post(s.url, initialize, { authorization: 'Bearer alice-1' });
    const sid = init.headers['mcp-session-id'] as string;
    expect(s.extras[0]?.authInfo).toMatchObject({ clientId: 'alice', token: 'alice-1' });
    expect(s.extras[0]?.requestInfo?.headers.authorization).toBe('Bearer alice-1');
    expect(s.extras[0]?.requestInfo?.url?.pathname).toBe('/mcp');
    expect(
      (
        await post(
          s.url,
          { jsonrpc: '2.0', id: 1, method: 'ping' },
          { 'mcp-session-id': sid, authorization: 'Bearer alice-2' },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await post(
          s.url,
          { jsonrpc: '2.0', id: 2, method: 'ping' },
          { 'mcp-session-id': sid, authorization: 'Bearer mallory-1' },
        )
      ).status,
    ).toBe(404);
  });

  it('serves extra routes on the same server; other paths are 404', async () => {
    const s = await serve({
      onRequest: (req, res) => {
        if (req.url !== '/healthz') return false;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return true;
      },
    });
    const health = await request(new URL('/healthz', s.url));
    expect(health.status).toBe(200);
    expect(health.body).toBe('ok');
    expect((await request(new URL('/elsewhere', s.url))).status).toBe(404);
    expect((await post(s.url, initialize)).status).toBe(200);
  });

  it('closing the listener closes every session transport', async () => {
    const s = await serve();
    await post(s.url, initialize);
    await post(s.url, initialize);
    let closed = 0;
    for (const t of s.sessions) t.onclose = () => closed++;
    await s.listener.close({ graceMs: 100 });
    expect(closed).toBe(2);
    expect(s.listener.connectionCount).toBe(0);
  });
});

describe('endpoint registry', () => {
  it('listens on http:// and https:// URIs', async () => {
    const plain = await listen('http://127.0.0.1:0/rpc', { onConnection: () => undefined });
    cleanups.push(() => plain.close({ graceMs: 100 }));
    expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rpc$/);
    expect((await request(plain.url, { method: 'POST', headers: postHeaders(), body: '{' })).status).toBe(
      400,
    );

    const certs = await testCerts();
    const secure = await listen('https://127.0.0.1:0/mcp', {
      onConnection: (t) => {
        t.onmessage = (m) => {
          if (isRequest(m))
            void t.send({
              jsonrpc: '2.0',
              id: m.id,
              result: {
                protocolVersion: '2025-06-18',
                capabilities: {},
                serverInfo: { name: 's', version: '1' },
              },
            });
        };
        void t.start();
      },
      tls: { cert: certs.server.cert, key: certs.server.key },
      http: { responseMode: 'json' },
    });
    cleanups.push(() => secure.close({ graceMs: 100 }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        secure.url,
        { method: 'POST', headers: postHeaders(), ca: certs.ca },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(initialize));
    });
    expect(status).toBe(200);
  });
});
