import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** CORS settings of an HTTP listener. */
export interface CorsOptions {
  /** Origins (`scheme://host[:port]`) whose pages may call the endpoint, or `'*'` for any. */
  origins: readonly string[] | '*';
  /** Request headers allowed beyond the MCP ones (e.g. the API key header). */
  allowHeaders?: readonly string[] | undefined;
  /** How long browsers may cache a preflight, in seconds (default 600). */
  maxAgeSec?: number | undefined;
}

/** Request headers a browser MCP client sends (plus every `Mcp-Param-*`). */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'accept',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
  'mcp-method',
  'mcp-name',
];

/** Response headers a browser page may read. */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  'mcp-session-id',
  'mcp-protocol-version',
  'www-authenticate',
  'retry-after',
];

const METHODS = 'GET, POST, DELETE, OPTIONS';

function normalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `Access-Control-Allow-Origin` value for a request's `Origin`, or `undefined` when that origin
 * gets no CORS grant. The exact origin is echoed (never `*` with a list), so responses vary by Origin.
 *
 * @param origin - the request's `Origin` header
 */
export function corsAllowOrigin(origin: string | undefined, cors: CorsOptions): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.origins === '*') return normalOrigin(origin) === undefined ? undefined : origin;
  const normal = normalOrigin(origin);
  return normal !== undefined && cors.origins.some((o) => normalOrigin(o) === normal) ? origin : undefined;
}

/**
 * Adds CORS headers to an actual (non-preflight) response: the allowed origin, the readable headers
 * (`Mcp-Session-Id`…) and `Vary: Origin`. Nothing for origins without a grant.
 */
export function applyCorsHeaders(req: IncomingMessage, res: ServerResponse, cors: CorsOptions): void {
  res.setHeader('vary', 'Origin');
  const allow = corsAllowOrigin(req.headers.origin, cors);
  if (allow === undefined) return;
  res.setHeader('access-control-allow-origin', allow);
  res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
}

/**
 * The headers of a preflight answer (204), or `undefined` when the origin has no grant or asks for a
 * method or header outside the MCP set — the browser then blocks the call.
 */
export function preflightHeaders(req: IncomingMessage, cors: CorsOptions): OutgoingHttpHeaders | undefined {
  const allow = corsAllowOrigin(req.headers.origin, cors);
  if (allow === undefined) return undefined;
  const method = req.headers['access-control-request-method'];
  if (method !== undefined && !METHODS.split(', ').includes(method.toUpperCase())) return undefined;
  const extra = new Set((cors.allowHeaders ?? []).map((h) => h.toLowerCase()));
  const requested = (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const ok = (h: string): boolean =>
    CORS_ALLOWED_HEADERS.includes(h) || extra.has(h) || /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/.test(h);
  if (!requested.every(ok)) return undefined;
  return {
    'access-control-allow-origin': allow,
    'access-control-allow-methods': METHODS,
    'access-control-allow-headers': [...new Set([...CORS_ALLOWED_HEADERS, ...extra, ...requested])].join(
      ', ',
    ),
    'access-control-max-age': String(cors.maxAgeSec ?? 600),
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
}
