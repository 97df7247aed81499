import type dns from 'node:dns';
import type net from 'node:net';
import type { Agent, Dispatcher } from 'undici';
import { loadUndici } from '../../lazy-modules.js';
import { toSwitchboardError } from '../../errors.js';
import { stripBrackets, tlsClientOptions, type TlsClientOptions } from '../../transports/tls-options.js';
import type { ResolvedAddress } from './resolve.js';

/** Resolves and vets a host name: every returned address passed the guard; refusals reject. */
export type VettedResolve = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/**
 * A `lookup` for `net.connect`, `tls.connect`, `ws` and undici that answers only with addresses the
 * guard accepted. The check and the connection use the same answer, so a name cannot resolve to a
 * public address for the check and to a private one for the connection (DNS rebinding between check
 * and use). A refusal fails the connection with the guard's `SSRF_BLOCKED` error.
 *
 * Node calls `lookup` only for names: an IP literal host is connected to directly, which is why the
 * guard also vets literals before connecting (`SsrfGuard.checkUri`).
 *
 * @param vet - resolves and vets one name
 */
export function pinnedLookup(vet: VettedResolve): net.LookupFunction {
  return (hostname, options, callback) => {
    vet(hostname).then(
      (answers) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = family === 4 || family === 6 ? answers.filter((a) => a.family === family) : answers;
        const first = usable[0];
        if (first === undefined) {
          const error: NodeJS.ErrnoException = new Error(`No usable address for ${hostname}`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
        } else if (options.all === true) {
          callback(
            null,
            usable.map((a): dns.LookupAddress => ({ address: a.address, family: a.family })),
          );
        } else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(toSwitchboardError(error) as NodeJS.ErrnoException, '', 0),
    );
  };
}

/**
 * An undici dispatcher whose connections resolve through `lookup` (and, for `https:`, verify the
 * server with `tls`). The HTTP client follows no redirect, so every request goes to the vetted host.
 *
 * @param lookup - from {@link pinnedLookup}
 * @param url - the backend URL (its host names the TLS server)
 * @param tls - CA, client certificate, minimum version for `https:` backends
 */
export function pinnedDispatcher(lookup: net.LookupFunction, url: URL, tls?: TlsClientOptions): Dispatcher {
  const secure = url.protocol === 'https:' || url.protocol === 'sse+https:';
  const tlsOptions = secure && tls !== undefined ? tlsClientOptions(tls, stripBrackets(url.hostname)) : {};
  // undici's connect options reject explicit `undefined` members: keep the defined ones only.
  const connect = Object.fromEntries(
    Object.entries({ ...tlsOptions, lookup }).filter(([, v]) => v !== undefined),
  ) as NonNullable<Agent.Options['connect']>;
  return new (loadUndici().Agent)({ connect });
}
