import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardRequestHandler, type FaultSink } from '../transports/handler-guard.js';
import { edgePolicy, edgeRefusal } from '../transports/http/server/edge-guard.js';
import { requestPathname } from '../transports/request-url.js';

/** A route served beside MCP: health, readiness, later metrics. */
export type AdminRoute = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * The routes every frontend-independent admin endpoint serves: `/healthz` (the process is up) and
 * `/readyz` (the backend is usable: 503 when the supervisor gave up or we are shutting down).
 */
export function healthRoutes(ready: () => boolean): Record<string, AdminRoute> {
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  return {
    '/healthz': (_req, res) => json(res, 200, { status: 'ok' }),
    '/readyz': (_req, res) =>
      ready() ? json(res, 200, { status: 'ready' }) : json(res, 503, { status: 'not ready' }),
  };
}

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  /** Browser origins allowed besides the loopback ones of a loopback bind (default: none). */
  allowedOrigins?: readonly string[] | undefined;
  /** Told about a route that threw (it was answered 500). */
  onFault?: FaultSink | undefined;
}

/**
 * A small HTTP server for admin routes only (`--admin-bind`), for deployments whose frontend is not HTTP.
 * The same Host/Origin checks as the HTTP frontend apply (403): a loopback bind answers only loopback
 * `Host` names (DNS rebinding), and no foreign page may read it. A request target that cannot be parsed
 * gets 400; a route that throws gets 500 (reported to `onFault`).
 *
 * @returns the bound URL and a close function
 */
export async function startAdminServer(
  host: string,
  port: number,
  routes: Record<string, AdminRoute>,
  options: AdminServerOptions = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const edge = edgePolicy(host.includes(':') ? `[${host}]` : host, undefined, options.allowedOrigins);
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const refusal = edgeRefusal(req, edge);
    if (refusal !== undefined) {
      res.writeHead(403, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end(`${refusal}\n`);
      return;
    }
    const path = requestPathname(req.url);
    const route =
      path !== undefined && (req.method === 'GET' || req.method === 'HEAD') ? routes[path] : undefined;
    if (route) route(req, res);
    else {
      const status = path === undefined ? 400 : 404;
      res.writeHead(status, {
        'content-type': 'text/plain',
        ...(status === 400 ? { connection: 'close' } : {}),
      });
      res.end(status === 400 ? 'bad request target\n' : 'not found\n');
    }
  };
  const server = http.createServer(
    guardRequestHandler('admin request', handle, options.onFault ?? (() => undefined)),
  );
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
