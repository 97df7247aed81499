import ipaddr from 'ipaddr.js';
import type { ConnectionInfo } from '../listener.js';

/** Caps for one kind of client key (0 = no cap). */
export interface ClientCaps {
  /** Most open sessions (silent ones included). */
  sessions?: number | undefined;
  /** Most sessions with a started backend (per-session mode: children or backend connections). */
  backends?: number | undefined;
}

/** Options of {@link ClientLimits}. */
export interface ClientLimitsOptions {
  /** Per authenticated principal (default 100 sessions, 20 backends). */
  perPrincipal?: ClientCaps | undefined;
  /**
   * Per remote address: IPv4 address, or IPv6 /64 (default 200 sessions, 50 backends). Loopback peers are
   * exempt unless `loopback` is true: a local reverse proxy or many local users share one address.
   */
  perAddress?: (ClientCaps & { loopback?: boolean | undefined }) | undefined;
}

/** The keys a session is counted under. */
export interface ClientKeys {
  principal: string | undefined;
  address: string | undefined;
}

/** Defaults of {@link ClientLimitsOptions}. */
export const CLIENT_LIMIT_DEFAULTS = {
  perPrincipal: { sessions: 100, backends: 20 },
  perAddress: { sessions: 200, backends: 50 },
} as const;

/**
 * The address key of a peer: an IPv4 address, an IPv6 /64 (one subscriber usually holds a whole /64),
 * IPv4-mapped IPv6 as IPv4. `undefined` for no address (Unix sockets, stdio, in-memory) and, unless
 * `loopback`, for loopback peers.
 */
export function addressKey(address: string | undefined, loopback = false): string | undefined {
  if (address === undefined || !ipaddr.isValid(address)) return undefined;
  const ip = ipaddr.process(address);
  if (!loopback && ip.range() === 'loopback') return undefined;
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

class Counter {
  readonly #counts = new Map<string, number>();

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  add(key: string, delta: number): void {
    const n = this.get(key) + delta;
    if (n <= 0) this.#counts.delete(key);
    else this.#counts.set(key, n);
  }
}

/**
 * Per-client caps on sessions and on backends, so one client (one principal, one address) cannot take
 * all of `--max-sessions` from everyone else. Counters exist only for keys with open sessions.
 */
export class ClientLimits {
  readonly #principal: { sessions: number; backends: number };
  readonly #address: { sessions: number; backends: number };
  readonly #loopback: boolean;
  readonly #sessions = { principal: new Counter(), address: new Counter() };
  readonly #backends = { principal: new Counter(), address: new Counter() };

  /** @param options - caps (defaults in {@link CLIENT_LIMIT_DEFAULTS}) */
  constructor(options: ClientLimitsOptions = {}) {
    const p = options.perPrincipal ?? {};
    const a = options.perAddress ?? {};
    this.#principal = {
      sessions: p.sessions ?? CLIENT_LIMIT_DEFAULTS.perPrincipal.sessions,
      backends: p.backends ?? CLIENT_LIMIT_DEFAULTS.perPrincipal.backends,
    };
    this.#address = {
      sessions: a.sessions ?? CLIENT_LIMIT_DEFAULTS.perAddress.sessions,
      backends: a.backends ?? CLIENT_LIMIT_DEFAULTS.perAddress.backends,
    };
    this.#loopback = a.loopback ?? false;
  }

  /** The keys of a session: its principal (when authenticated) and its address key. */
  keysOf(info: ConnectionInfo): ClientKeys {
    return { principal: info.principal, address: addressKey(info.remoteAddress, this.#loopback) };
  }

  /** Counts a new session, or returns why it is refused (nothing counted then). */
  openSession(keys: ClientKeys): string | undefined {
    return this.#take(this.#sessions, keys, 'sessions');
  }

  closeSession(keys: ClientKeys): void {
    this.#give(this.#sessions, keys);
  }

  /** Counts a backend started for a session, or returns why it is refused (nothing counted then). */
  startBackend(keys: ClientKeys): string | undefined {
    return this.#take(this.#backends, keys, 'backends');
  }

  stopBackend(keys: ClientKeys): void {
    this.#give(this.#backends, keys);
  }

  #take(
    counters: { principal: Counter; address: Counter },
    keys: ClientKeys,
    what: 'sessions' | 'backends',
  ): string | undefined {
    const { principal, address } = keys;
    const pCap = this.#principal[what];
    const aCap = this.#address[what];
    if (principal !== undefined && pCap > 0 && counters.principal.get(principal) >= pCap) {
      return `too many ${what} for this principal (max ${pCap})`;
    }
    if (address !== undefined && aCap > 0 && counters.address.get(address) >= aCap) {
      return `too many ${what} from this address (max ${aCap})`;
    }
    if (principal !== undefined) counters.principal.add(principal, 1);
    if (address !== undefined) counters.address.add(address, 1);
    return undefined;
  }

  #give(counters: { principal: Counter; address: Counter }, keys: ClientKeys): void {
    if (keys.principal !== undefined) counters.principal.add(keys.principal, -1);
    if (keys.address !== undefined) counters.address.add(keys.address, -1);
  }
}
