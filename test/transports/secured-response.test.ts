/**
 * The response class of HTTP listeners: the security headers reach every response, a handler's own
 * value for one of them wins (set before with setHeader or given to writeHead, in any case), and the
 * head is otherwise what Node writes for the same calls.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/endpoint/index.js';
import { securityHeaderList } from '../../src/security/security-headers.js';
import { securedResponseClass } from '../../src/transports/http/server/secured-response.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Serves `handler` with the secured response class and returns the head of one GET. */
async function headOf(
  handler: Handler,
): Promise<{ status: number; message: string; headers: http.IncomingHttpHeaders; raw: string[] }> {
  const server = http.createServer(
    { ServerResponse: securedResponseClass(securityHeaderList(false)) },
    (req, res) => {
      try {
        handler(req, res);
      } catch (error) {
        res.destroy(error as Error);
      }
    },
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume();
        resolve({
          status: res.statusCode ?? 0,
          message: res.statusMessage ?? '',
          headers: res.headers,
          raw: res.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()),
        });
      })
      .on('error', reject);
  });
}

const DEFAULTS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

describe('securedResponseClass', () => {
  it('adds every security header to a head written with writeHead and an object', async () => {
    const { status, headers } = await headOf((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
    expect(status).toBe(201);
    expect(headers).toMatchObject({ ...DEFAULTS, 'content-type': 'application/json', 'content-length': '2' });
  });

  it('lets writeHead override one, whatever the case of its name, without sending it twice', async () => {
    const { headers, raw } = await headOf((_req, res) => {
      res.writeHead(200, { 'Cache-Control': 'public, max-age=60' });
      res.end();
    });
    expect(headers['cache-control']).toBe('public, max-age=60');
    expect(raw.filter((n) => n === 'cache-control')).toHaveLength(1);
    expect(headers['x-frame-options']).toBe('DENY');
  });

  it('keeps a value set with setHeader before an implicit head (end without writeHead)', async () => {
    const { headers, raw } = await headOf((_req, res) => {
      res.setHeader('x-frame-options', 'SAMEORIGIN');
      res.statusCode = 404;
      res.end('no');
    });
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(raw.filter((n) => n === 'x-frame-options')).toHaveLength(1);
    expect(headers).toMatchObject({ ...DEFAULTS, 'x-frame-options': 'SAMEORIGIN' });
  });

  it('merges setHeader values with writeHead ones (writeHead wins), as Node does', async () => {
    const { headers } = await headOf((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.setHeader('x-one', '1');
      res.writeHead(200, { 'content-type': 'text/html', 'referrer-policy': 'origin' });
      res.end();
    });
    expect(headers).toMatchObject({
      ...DEFAULTS,
      'content-type': 'text/html',
      'x-one': '1',
      'referrer-policy': 'origin',
    });
  });

  it('takes a status message and flat or nested header arrays', async () => {
    const flat = await headOf((_req, res) => {
      res.writeHead(200, 'Fine', ['X-Frame-Options', 'SAMEORIGIN', 'set-cookie', 'a=1', 'set-cookie', 'b=2']);
      res.end();
    });
    expect(flat.message).toBe('Fine');
    expect(flat.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(flat.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(flat.headers['referrer-policy']).toBe('no-referrer');
    const nested = await headOf((_req, res) => {
      res.writeHead(200, [
        ['x-two', '2'],
        ['referrer-policy', 'origin'],
      ] as unknown as string[]);
      res.end();
    });
    expect(nested.headers).toMatchObject({ ...DEFAULTS, 'x-two': '2', 'referrer-policy': 'origin' });
  });

  it('refuses what Node refuses (an undefined header value)', () => {
    const Secured = securedResponseClass(securityHeaderList(false));
    const plain = new http.ServerResponse({ method: 'GET', httpVersionMajor: 1 } as IncomingMessage);
    const secured = new Secured({ method: 'GET', httpVersionMajor: 1 } as IncomingMessage);
    const bad = { 'x-bad': undefined } as unknown as http.OutgoingHttpHeaders;
    expect(() => plain.writeHead(200, bad)).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_INVALID_HEADER_VALUE' }),
    );
    expect(() => secured.writeHead(200, bad)).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_INVALID_HEADER_VALUE' }),
    );
  });
});

describe('HTTP listener responses', () => {
  it('carry the security headers on refusals and unknown paths, and none with securityHeaders: false', async () => {
    const get = (url: string, method = 'GET'): Promise<http.IncomingHttpHeaders> =>
      new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.headers);
        });
        req.on('error', reject);
        req.end(method === 'POST' ? '{"jsonrpc":"2.0","id":1,"method":"ping"}' : undefined);
      });
    const listener = await listen('http://127.0.0.1:0/mcp', { onConnection: () => undefined });
    const bare = await listen('http://127.0.0.1:0/mcp', {
      onConnection: () => undefined,
      http: { securityHeaders: false },
    });
    try {
      expect(await get(listener.url.replace('/mcp', '/nothing-here'))).toMatchObject(DEFAULTS);
      // A POST without a session: 400 from the MCP endpoint.
      expect(await get(listener.url, 'POST')).toMatchObject(DEFAULTS);
      const none = await get(bare.url.replace('/mcp', '/nothing-here'));
      expect(none['x-frame-options']).toBeUndefined();
    } finally {
      await listener.close({ graceMs: 0 });
      await bare.close({ graceMs: 0 });
    }
  });
});
