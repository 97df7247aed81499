import type { ServerResponse } from 'node:http';

/** Security headers of an HTTP listener. */
export interface SecurityHeadersOptions {
  /**
   * `Strict-Transport-Security` on `https://` listeners: max-age in seconds (default 63 072 000, two
   * years), or `false` for none. Never sent over plain HTTP (browsers ignore it there).
   */
  hstsMaxAgeSec?: number | false | undefined;
  /** Add `includeSubDomains` to HSTS (default false: it would bind every sibling service too). */
  hstsIncludeSubdomains?: boolean | undefined;
}

/** Default HSTS max-age: two years. */
export const DEFAULT_HSTS_MAX_AGE_SEC = 63_072_000;

/**
 * Sets the headers every response of the listener carries (handlers may override `Cache-Control`):
 * `X-Content-Type-Options: nosniff`, `Content-Security-Policy: default-src 'none'; frame-ancestors
 * 'none'` and `X-Frame-Options: DENY` (nothing here is meant to render or be framed),
 * `Referrer-Policy: no-referrer`, `Cache-Control: no-store` (MCP responses are per caller), and HSTS on
 * TLS listeners.
 *
 * @param secure - the listener is `https://`
 */
export function applySecurityHeaders(
  res: ServerResponse,
  secure: boolean,
  options: SecurityHeadersOptions = {},
): void {
  for (const [name, value] of securityHeaderList(secure, options)) res.setHeader(name, value);
}

/**
 * The headers {@link applySecurityHeaders} sets, as `[name, value]` pairs with lower-case names.
 *
 * @param secure - the listener is `https://`
 */
export function securityHeaderList(
  secure: boolean,
  options: SecurityHeadersOptions = {},
): [name: string, value: string][] {
  const list: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
    ['cache-control', 'no-store'],
  ];
  const maxAge = options.hstsMaxAgeSec ?? DEFAULT_HSTS_MAX_AGE_SEC;
  if (secure && maxAge !== false) {
    list.push([
      'strict-transport-security',
      `max-age=${maxAge}${options.hstsIncludeSubdomains ? '; includeSubDomains' : ''}`,
    ]);
  }
  return list;
}
