import ipaddr from 'ipaddr.js';

/**
 * What an IP address is, for the SSRF guard. `public` is ordinary unicast; every other class names a
 * range that a backend URL must not reach by default (`loopback` excepted, see {@link SsrfPolicy}).
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** Which non-public classes a backend address may be in. */
export interface SsrfPolicy {
  /** Allow loopback addresses (127.0.0.0/8, ::1) — default `true`; `--deny-loopback-backends` sets `false`. */
  allowLoopback?: boolean | undefined;
  /**
   * Allow every non-public class except loopback (which {@link allowLoopback} decides): private, link-local
   * (cloud metadata), CGNAT, unique-local, multicast… Default `false`; `--allow-private-backends` sets it.
   */
  allowPrivate?: boolean | undefined;
}

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Parses an IP literal in any form a resolver would accept: dotted quad, the shortened and numeric
 * forms `inet_aton` understands (`127.1`, `0x7f.1`, `0177.0.0.1`, `2130706433`), and IPv6 with or
 * without brackets (a zone id is dropped). `undefined` when `host` is a name, not an address.
 *
 * @param host - a URL host name or a resolver answer
 * @example
 * ```ts
 * parseIpLiteral('0x7f.1')?.toString(); // '127.0.0.1'
 * parseIpLiteral('example.com');        // undefined
 * ```
 */
export function parseIpLiteral(host: string): Ip | undefined {
  let h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const zone = h.indexOf('%');
  if (zone !== -1 && h.includes(':')) h = h.slice(0, zone);
  if (ipaddr.IPv4.isValid(h)) return ipaddr.IPv4.parse(h);
  if (ipaddr.IPv6.isValid(h)) return ipaddr.IPv6.parse(h);
  return undefined;
}

const V4_CLASS: Readonly<Record<string, AddressClass>> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'cgnat',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

const V6_CLASS: Readonly<Record<string, AddressClass>> = {
  unicast: 'public',
  loopback: 'loopback',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
};

// The IPv4 address an IPv6 address carries in its low 32 bits, for the forms that route to it:
// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated), SIIT (::ffff:0:a.b.c.d) and
// NAT64 (64:ff9b::a.b.c.d). Such an address reaches the IPv4 host, so it is judged as that host.
function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = ip.parts;
  const low = (): ipaddr.IPv4 =>
    new ipaddr.IPv4([(p[6] ?? 0) >> 8, (p[6] ?? 0) & 255, (p[7] ?? 0) >> 8, (p[7] ?? 0) & 255]);
  const range = ip.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return low();
  const zeroHigh = p.slice(0, 6).every((x) => x === 0);
  // ::/128 and ::1 are IPv6's own unspecified and loopback addresses, not compatible addresses.
  if (zeroHigh && !(p[6] === 0 && (p[7] === 0 || p[7] === 1))) return low();
  return undefined;
}

/**
 * Classifies an address. IPv6 forms that embed an IPv4 address are classified as that IPv4 address;
 * tunnelling prefixes (6to4, Teredo) and every other special-purpose range are `reserved`.
 *
 * @param ip - a parsed address (see {@link parseIpLiteral})
 * @example
 * ```ts
 * classifyAddress(parseIpLiteral('::ffff:169.254.169.254')!); // 'link-local'
 * ```
 */
export function classifyAddress(ip: Ip): AddressClass {
  if (ip.kind() === 'ipv4') return V4_CLASS[ip.range()] ?? 'reserved';
  const v6 = ip as ipaddr.IPv6;
  const v4 = embeddedIpv4(v6);
  if (v4 !== undefined) return V4_CLASS[v4.range()] ?? 'reserved';
  return V6_CLASS[v6.range()] ?? 'reserved';
}

/**
 * Why an address may not be a backend under `policy`, or `undefined` when it may.
 *
 * @param address - an IP literal (any form {@link parseIpLiteral} accepts)
 * @param policy - loopback allowed by default, everything else non-public refused by default
 * @returns a short reason such as `"169.254.169.254 is a link-local address"`
 */
export function addressRefusal(address: string, policy: SsrfPolicy = {}): string | undefined {
  const ip = parseIpLiteral(address);
  if (ip === undefined) return `"${address}" is not an IP address`;
  const cls = classifyAddress(ip);
  if (cls === 'public') return undefined;
  if (cls === 'loopback') {
    return (policy.allowLoopback ?? true) ? undefined : `${ip.toString()} is a loopback address`;
  }
  if (policy.allowPrivate === true) return undefined;
  return `${ip.toString()} is a ${cls} address`;
}
