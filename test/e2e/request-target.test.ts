/**
 * Request targets that `new URL(target, base)` cannot parse (`//`, `//[`, and friends) on every
 * HTTP-speaking listener of `serve`: each is answered (400/404/426), never a crash or a 500, and the
 * process goes on serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from './processes.js';
import { hitRawHttp } from '../fuzz/serve-targets.js';
import net from 'node:net';

let serve: Awaited<ReturnType<typeof startServe>>;
let http: URL;
let ws: URL;
let admin: URL;

/** Sends one raw request and returns the status line's code (0 when the connection closed without one). */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let head = '';
    socket.setEncoding('utf8');
    socket.on('data', (t: string) => {
      head += t;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        resolve(Number(m[1]));
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(0));
    socket.write(request);
  });
}

const get = (target: string): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
const upgrade = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mcp\r\n\r\n';

beforeAll(async () => {
  serve = await startServe([
    '--listen',
    'http://127.0.0.1:0/mcp',
    '--listen',
    'ws://127.0.0.1:0/mcp',
    '--admin-bind',
    '127.0.0.1:0',
  ]);
  [http, ws] = serve.urls.map((u) => new URL(u)) as [URL, URL];
  const line = serve.stderr.find((l) => l.includes('admin endpoint')) as string;
  admin = new URL((JSON.parse(line) as { url: string }).url);
}, 60_000);

afterAll(async () => {
  await serve?.stop();
});

describe('unparsable request targets', () => {
  const targets = ['//', '//[', '//[::1', '/\\', 'http://['];

  it.each(targets)('WebSocket listener, plain request %s: answered, process alive', async (target) => {
    expect([400, 404]).toContain(await rawStatus(Number(ws.port), get(target)));
    expect(serve.proc.exitCode).toBeNull();
    expect(await rawStatus(Number(ws.port), get('/mcp'))).toBe(426);
  });

  it.each(targets)('WebSocket listener, upgrade %s: refused, process alive', async (target) => {
    expect([400, 404]).toContain(await rawStatus(Number(ws.port), upgrade(target)));
    expect(serve.proc.exitCode).toBeNull();
    expect(await rawStatus(Number(ws.port), upgrade('/mcp'))).toBe(101);
  });

  it.each(targets)('admin server %s: answered, process alive', async (target) => {
    expect([400, 404]).toContain(await rawStatus(Number(admin.port), get(target)));
    expect(serve.proc.exitCode).toBeNull();
    expect(await rawStatus(Number(admin.port), get('/healthz'))).toBe(200);
  });

  it.each(targets)('HTTP frontend %s: 400/404, not 500', async (target) => {
    expect([400, 404]).toContain(await rawStatus(Number(http.port), get(target)));
    expect(await rawStatus(Number(http.port), get('/healthz'))).toBe(200);
  });

  it('a burst of them leaves every listener serving', async () => {
    for (const port of [http.port, ws.port, admin.port]) {
      await Promise.all(targets.map((t) => hitRawHttp(Number(port), Buffer.from(get(t)))));
    }
    expect(serve.proc.exitCode).toBeNull();
    expect(await rawStatus(Number(admin.port), get('/readyz'))).toBe(200);
  });
});
