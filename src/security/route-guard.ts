import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticateResult } from '../transports/http/server/options.js';

/** A plain HTTP route (health, readiness, metrics). */
export type PlainRoute = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A route answered only for authenticated callers: `authenticate` decides first (401 with its
 * `WWW-Authenticate` challenge, 400 for a token in the query string, …); an admitted request reaches
 * `route`. The refusal names no secret and reveals nothing about the route.
 *
 * @param route - the protected route
 * @param authenticate - the same decision the MCP endpoint makes (bearer JWT, API key, fail closed)
 * @example
 * ```ts
 * routes['/metrics'] = authenticatedRoute(metricsRoute, (req) => auth.authenticate(req.headers, req.url));
 * ```
 */
export function authenticatedRoute(
  route: PlainRoute,
  authenticate: (req: IncomingMessage) => AuthenticateResult | Promise<AuthenticateResult>,
): PlainRoute {
  return (req, res) => {
    Promise.resolve()
      .then(() => authenticate(req))
      .then(
        (decided) => {
          if (!('reject' in decided)) {
            route(req, res);
            return;
          }
          const { status, message, headers } = decided.reject;
          res.writeHead(status, {
            ...headers,
            'content-type': 'text/plain; charset=utf-8',
            'cache-control': 'no-store',
          });
          res.end(`${message}\n`);
        },
        () => {
          if (res.headersSent) res.destroy();
          else res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal error\n');
        },
      );
  };
}
