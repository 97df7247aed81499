import type { IncomingMessage } from 'node:http';

/** Resolved Host/Origin policy of a listener. */
export interface EdgePolicy {
  /** Host names (lower case, IPv6 in brackets, no port) the `Host` header may name, or any. */
  hosts: ReadonlySet<string> | '*';
  /** Exact origins (`scheme://host[:port]`, lower case) allowed, or any. */
  origins: ReadonlySet<string> | '*';
  /** Allow any loopback origin (`http(s)://localhost|127.0.0.1|[::1]`, any port). */
  loopbackOrigins: boolean;
}

/** Host names that name the loopback interface. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** `true` for a host name (as in a URL: IPv6 in brackets) on the loopback interface. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The default-on policy: loopback binds accept only loopback `Host` names (DNS-rebinding protection) and
 * loopback origins; other binds accept any `Host` and only the listed origins.
 *
 * @param bindHost - the host the listener binds (URL form)
 * @param corsOrigins - origins granted CORS: they pass the Origin check too (loopback defaults kept)
 */
export function edgePolicy(
  bindHost: string,
  allowedHosts: readonly string[] | '*' | undefined,
  allowedOrigins: readonly string[] | '*' | undefined,
  corsOrigins?: readonly string[] | '*',
): EdgePolicy {
  const loopback = isLoopbackHost(bindHost);
  const hosts =
    allowedHosts === '*'
      ? '*'
      : allowedHosts !== undefined
        ? new Set(allowedHosts.map((h) => h.toLowerCase()))
        : loopback
          ? new Set([...LOOPBACK_HOSTS, bindHost.toLowerCase()])
          : '*';
  const origins =
    allowedOrigins === '*' || corsOrigins === '*'
      ? '*'
      : new Set([...(allowedOrigins ?? []), ...(corsOrigins ?? [])].map(originKey));
  return { hosts, origins, loopbackOrigins: loopback && allowedOrigins === undefined };
}

// Configured origins compared as URL origins (`https://App.example:443/` → `https://app.example`).
function originKey(origin: string): string {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return origin.toLowerCase();
  }
}

/** The host name of a `Host` header value, lower case, without the port (IPv6 keeps its brackets). */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return (end === -1 ? host : host.slice(0, end + 1)).toLowerCase();
  }
  const colon = host.indexOf(':');
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
}

function originAllowed(origin: string, policy: EdgePolicy): boolean {
  if (policy.origins === '*') return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null"
  }
  if (policy.origins.has(url.origin.toLowerCase())) return true;
  return (
    policy.loopbackOrigins &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    isLoopbackHost(url.hostname)
  );
}

/**
 * Checks `Host` and `Origin`; `undefined` when the request may proceed, else why it is refused (403).
 * A request without `Origin` (not from a browser) passes the Origin check.
 */
export function edgeRefusal(req: IncomingMessage, policy: EdgePolicy): string | undefined {
  if (policy.hosts !== '*') {
    const host = req.headers.host;
    if (host === undefined || !policy.hosts.has(hostnameOf(host))) return 'Forbidden: Host not allowed';
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(origin, policy)) return 'Forbidden: Origin not allowed';
  return undefined;
}
