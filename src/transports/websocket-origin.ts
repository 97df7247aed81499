import net from 'node:net';
import { stripBrackets } from './tls-options.js';

function isLoopbackHost(hostname: string): boolean {
  const host = stripBrackets(hostname).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides whether a WebSocket upgrade with this `Origin` header may proceed.
 *
 * - No `Origin` header: allowed (non-browser clients send none; browsers always do, so DNS-rebinding
 *   and cross-site pages are still caught).
 * - `allowed` undefined (the default): only loopback origins (`http(s)://localhost`, `127.x.x.x`,
 *   `[::1]`, any port).
 * - `allowed` given: exactly those origins (`scheme://host[:port]`, compared after normalisation), or
 *   any origin when it contains `'*'`.
 *
 * @param origin - the request's `Origin` header
 * @param allowed - allow-list (default: loopback only)
 * @example
 * ```ts
 * isOriginAllowed('https://app.example.com', ['https://app.example.com']); // true
 * isOriginAllowed('https://evil.example', undefined);                     // false
 * ```
 */
export function isOriginAllowed(origin: string | undefined, allowed?: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed?.includes('*')) return true;
  const normalised = originOf(origin);
  if (normalised === undefined) return false; // 'null' (sandboxed frames, file:) or garbage
  if (allowed === undefined) return isLoopbackHost(new URL(normalised).hostname);
  return allowed.some((entry) => originOf(entry) === normalised);
}
