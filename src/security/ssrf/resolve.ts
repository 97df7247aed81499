import dns from 'node:dns';

/** One address a name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name to all its addresses. The guard takes one so tests (and callers with their own
 * DNS, e.g. a service mesh) can inject a stub; the default is {@link systemResolver}.
 */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/**
 * The operating system's resolver (`getaddrinfo` through `dns.lookup`, all addresses, in the order the
 * system returns them), the same one `net.connect` would use.
 *
 * @param hostname - a DNS name
 */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};
