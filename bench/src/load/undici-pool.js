import { Pool } from 'undici';

/**
 * An undici pool for one origin: keep-alive, no pipelining (HTTP/1.1 servers answer in order).
 * @param {URL} url
 * @param {number} connections
 */
export function createPool(url, connections) {
  return new Pool(url.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    bodyTimeout: 60_000,
    headersTimeout: 60_000,
  });
}
