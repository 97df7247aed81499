import { SwitchboardError } from '../../errors.js';

/** A parsed `state:` URI: where Redis is, and the prefix of every key. */
export interface RedisStateAddress {
  connectUrl: string;
  redacted: string;
  tls: boolean;
  host: string;
  /** Prepended to every key (default `switchboard:`). */
  prefix: string;
}

/**
 * Parses `redis[s]://[user:password@]host[:port][/db][?prefix=…]`.
 *
 * @throws SwitchboardError `INVALID_URI` (the password is never shown)
 */
export function parseStateAddress(uri: string): RedisStateAddress {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw new SwitchboardError('INVALID_URI', 'state: not a URI (expected redis://host:port/db)', { cause });
  }
  const tls = url.protocol === 'rediss:';
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  const bad = (why: string): never => {
    throw new SwitchboardError('INVALID_URI', `state: "${shown.href}": ${why}`);
  };
  if (!tls && url.protocol !== 'redis:') bad('expected redis:// or rediss://');
  if (url.hostname === '') bad('a host is required');
  for (const key of url.searchParams.keys()) if (key !== 'prefix') bad(`unknown parameter "${key}"`);
  const db = url.pathname === '' || url.pathname === '/' ? '0' : url.pathname.slice(1);
  if (!/^\d{1,2}$/.test(db)) bad('the path must be a database number, e.g. /0');
  const prefix = url.searchParams.get('prefix') ?? 'switchboard:';
  if (!/^[\w.:{}@/-]{0,100}$/.test(prefix))
    bad('"prefix" must be up to 100 characters of [A-Za-z0-9_.:{}@/-]');
  const connect = new URL(url.href);
  connect.search = '';
  connect.pathname = `/${db}`;
  shown.search = '';
  shown.pathname = `/${db}`;
  return { connectUrl: connect.href, redacted: shown.href, tls, host: url.hostname, prefix };
}

/** Key names of the shared state. */
export class StateKeys {
  readonly #p: string;
  constructor(prefix: string) {
    this.#p = prefix;
  }
  /** An instance's heartbeat (with its forwarding URL), with a TTL. */
  instance(id: string): string {
    return `${this.#p}inst:${id}`;
  }
  /** A session: owner instance, principal, initialize, capabilities, protocol version. */
  session(id: string): string {
    return `${this.#p}sess:${id}`;
  }
  /** A session's requests in flight: id → stream. */
  pending(id: string): string {
    return `${this.#p}sess:${id}:pending`;
  }
  /** The stream ids of a session that hold events. */
  streams(id: string): string {
    return `${this.#p}ev:${id}`;
  }
  /** The events of one stream. */
  events(id: string, stream: number): string {
    return `${this.#p}ev:${id}:${stream}`;
  }
}
