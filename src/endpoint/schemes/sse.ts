import { connectSse } from '../../transports/http/client/connect.js';
import type { EndpointScheme } from '../scheme.js';

/**
 * `sse+http://host:port/sse`: a server of the deprecated HTTP+SSE transport (MCP 2024-11-05), forced
 * (plain `http://` detects such servers by itself). Options under `options.http`.
 */
export const sseHttpScheme: EndpointScheme = {
  name: 'sse+http',
  example: 'sse+http://127.0.0.1:3001/sse',
  connect: (url, options) => connectSse(url, options),
};

/** `sse+https://host:port/sse`: as `sse+http://`, over TLS (`options.tls`). */
export const sseHttpsScheme: EndpointScheme = {
  name: 'sse+https',
  example: 'sse+https://mcp.example.com/sse',
  connect: (url, options) => connectSse(url, options),
};
