import { connectHttp } from '../../transports/http/client/connect.js';
import { listenHttp } from '../../transports/http/server/http-listener.js';
import type { EndpointScheme } from '../scheme.js';

/**
 * `http://host:port/path`: MCP over Streamable HTTP (2025 sessions and 2026-07-28 stateless on one
 * endpoint) plus the legacy HTTP+SSE endpoints. Options under `options.http`.
 */
export const httpScheme: EndpointScheme = {
  name: 'http',
  example: 'http://127.0.0.1:8080/mcp',
  connect: (url, options) => connectHttp(url, options),
  listen: (url, options) => listenHttp(url, options),
};

/** `https://host:port/path`: as `http://`, over TLS (`options.tls` with cert and key). */
export const httpsScheme: EndpointScheme = {
  name: 'https',
  example: 'https://127.0.0.1:8443/mcp',
  connect: (url, options) => connectHttp(url, options),
  listen: (url, options) => listenHttp(url, options),
};
