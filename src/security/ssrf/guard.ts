import type net from 'node:net';
import type { Dispatcher } from 'undici';
import { connect } from '../../endpoint/registry.js';
import type { ConnectOptions } from '../../endpoint/scheme.js';
import { SwitchboardError } from '../../errors.js';
import type { Transport } from '../../transport.js';
import type { TlsClientOptions } from '../../transports/tls-options.js';
import { addressRefusal, parseIpLiteral, type SsrfPolicy } from './classify.js';
import { pinnedDispatcher, pinnedLookup } from './pinned-lookup.js';
import { systemResolver, type ResolvedAddress, type Resolver } from './resolve.js';

/** Options of {@link SsrfGuard}. */
export interface SsrfGuardOptions extends SsrfPolicy {
  /** Resolves names (default: the system resolver, as `net.connect` would). Inject a stub in tests. */
  resolver?: Resolver | undefined;
}

const NO_TLS = {};

/**
 * The host a URI connects to, or `undefined` for URIs that name no network host (`unix:`, `stdio:`,
 * `memory:`). `sse+http://` and `tcp://` are parsed as generic URLs, so numeric forms such as `0x7f.1`
 * reach the guard unnormalised — it understands them.
 */
function hostOf(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined; // not a URL: the endpoint registry refuses it with its own error
  }
  return url.hostname === '' ? undefined : url.hostname;
}

/**
 * The SSRF guard of backend connections. Every backend address is resolved and classified
 * (loopback, private, link-local/metadata, CGNAT, unique-local, unspecified, multicast, IPv4-mapped and
 * compatible IPv6, every numeric IPv4 spelling); loopback is allowed by default, everything else
 * non-public is refused unless `allowPrivate`. A name is refused when *any* of its addresses is.
 *
 * Connections made through {@link connect} (or with {@link connectOptions}) resolve through
 * {@link lookup}, which vets the very answer the socket then uses: no re-resolution between check and use.
 *
 * @example
 * ```ts
 * const guard = new SsrfGuard({ allowLoopback: false });
 * await guard.checkUri('http://169.254.169.254/latest'); // throws SSRF_BLOCKED
 * const transport = await guard.connect('https://mcp.example.com/mcp');
 * ```
 */
export class SsrfGuard {
  readonly #policy: SsrfPolicy;
  readonly #resolver: Resolver;
  // One dispatcher per (TLS options, origin): sessions to the same backend share keep-alive connections.
  readonly #dispatchers = new WeakMap<object, Map<string, Dispatcher>>();
  /** A `lookup` for `net`/`tls`/`ws`/undici that only answers with vetted addresses. */
  readonly lookup: net.LookupFunction;

  /** @param options - policy (loopback allowed, private refused by default) and resolver */
  constructor(options: SsrfGuardOptions = {}) {
    this.#policy = {
      allowLoopback: options.allowLoopback ?? true,
      allowPrivate: options.allowPrivate ?? false,
    };
    this.#resolver = options.resolver ?? systemResolver;
    this.lookup = pinnedLookup((hostname) => this.resolve(hostname));
  }

  /** The effective policy. */
  get policy(): Readonly<SsrfPolicy> {
    return this.#policy;
  }

  /**
   * Resolves `host` (a name or an IP literal in any spelling) and vets every address.
   *
   * @returns the addresses, all allowed
   * @throws SwitchboardError `SSRF_BLOCKED` when any address is refused; `CONNECTION_FAILED` when the
   *   name does not resolve
   */
  async resolve(host: string): Promise<ResolvedAddress[]> {
    const literal = parseIpLiteral(host);
    if (literal !== undefined) {
      const address = literal.toString();
      this.#vet(host, address);
      return [{ address, family: literal.kind() === 'ipv4' ? 4 : 6 }];
    }
    let answers: readonly ResolvedAddress[];
    try {
      answers = await this.#resolver(host);
    } catch (cause) {
      throw new SwitchboardError('CONNECTION_FAILED', `Cannot resolve backend host "${host}"`, {
        cause,
        details: { host, systemCode: (cause as NodeJS.ErrnoException | null)?.code },
      });
    }
    if (answers.length === 0) {
      throw new SwitchboardError('CONNECTION_FAILED', `Backend host "${host}" has no address`, {
        details: { host },
      });
    }
    // Resolvers may answer with IPv4-mapped or odd spellings: vet each as a literal.
    for (const answer of answers) this.#vet(host, answer.address);
    return answers.map((a) => ({ ...a }));
  }

  /**
   * Vets the host of a backend URI (nothing to do for `unix:`, `stdio:`, `memory:`). Call it before
   * serving: a refused backend is a startup error, not a listener whose sessions fail later.
   *
   * @throws SwitchboardError `SSRF_BLOCKED`; `CONNECTION_FAILED` when the name does not resolve
   */
  async checkUri(uri: string): Promise<void> {
    const host = hostOf(uri);
    if (host !== undefined) await this.resolve(host);
  }

  /**
   * `options` with the guard's resolution pinned in: `socket.lookup` (tcp/tls), `websocket.lookup`
   * (ws/wss) and an undici `http.dispatcher` (http/https/sse) whose connections resolve through
   * {@link lookup}. A dispatcher already in `options.http` is replaced (it could resolve on its own).
   *
   * @param uri - the backend URI
   * @param options - the connect options to extend
   */
  connectOptions(uri: string, options: ConnectOptions = {}): ConnectOptions {
    const result: ConnectOptions = {
      ...options,
      socket: { ...options.socket, lookup: this.lookup },
      websocket: { ...options.websocket, lookup: this.lookup },
    };
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
    if (scheme === 'http' || scheme === 'https' || scheme === 'sse+http' || scheme === 'sse+https') {
      const url = new URL(scheme.startsWith('sse+') ? uri.slice(4) : uri);
      result.http = { ...options.http, dispatcher: this.#dispatcher(url, options.tls) };
    }
    return result;
  }

  /**
   * `connect()` through the guard: vets the URI, then creates the (unstarted) transport with the
   * guard's resolution pinned in.
   *
   * @throws SwitchboardError `SSRF_BLOCKED`, `CONNECTION_FAILED`, and the registry's errors
   */
  async connect(uri: string, options: ConnectOptions = {}): Promise<Transport> {
    await this.checkUri(uri);
    return connect(uri, this.connectOptions(uri, options));
  }

  #dispatcher(url: URL, tls: TlsClientOptions | undefined): Dispatcher {
    const bucket = tls ?? NO_TLS;
    let perOrigin = this.#dispatchers.get(bucket);
    if (perOrigin === undefined) {
      perOrigin = new Map();
      this.#dispatchers.set(bucket, perOrigin);
    }
    let dispatcher = perOrigin.get(url.origin);
    if (dispatcher === undefined) {
      dispatcher = pinnedDispatcher(this.lookup, url, tls);
      perOrigin.set(url.origin, dispatcher);
    }
    return dispatcher;
  }

  #vet(host: string, address: string): void {
    const reason = addressRefusal(address, this.#policy);
    if (reason === undefined) return;
    const shown = parseIpLiteral(host) === undefined ? `"${host}" (${reason})` : reason;
    const hint = reason.endsWith('loopback address')
      ? 'loopback backends are denied (allowLoopback: false / --deny-loopback-backends)'
      : 'allow it with allowPrivate / --allow-private-backends if intended';
    throw new SwitchboardError('SSRF_BLOCKED', `Backend host ${shown} refused by the SSRF guard: ${hint}`, {
      details: { host, address },
    });
  }
}
