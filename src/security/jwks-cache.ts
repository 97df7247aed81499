import type { JWTVerifyGetKey } from 'jose';
import { SwitchboardError } from '../errors.js';
import { loadJose } from '../lazy-modules.js';

/** Options of {@link remoteJwks}. */
export interface JwksCacheOptions {
  /** How long a fetched key set is used before it is fetched again, in ms (default 600 000 = 10 min). */
  ttlMs?: number | undefined;
  /**
   * Shortest time between two fetches, in ms (default 30 000). A token with an unknown `kid` triggers a
   * refetch only when this much time passed since the last one, so a flood of tokens with made-up key
   * ids costs at most one fetch per period.
   */
  minRefetchIntervalMs?: number | undefined;
  /** Timeout of one fetch, in ms (default 5000). */
  timeoutMs?: number | undefined;
}

/** Default JWKS time to live. */
export const DEFAULT_JWKS_TTL_MS = 600_000;
/** Default shortest interval between JWKS fetches. */
export const DEFAULT_JWKS_MIN_REFETCH_MS = 30_000;

/**
 * A cached remote JSON Web Key Set (jose's `createRemoteJWKSet`): fetched on first use, kept for
 * `ttlMs`, refetched when a token names a `kid` the cached set lacks (key rotation) — at most once per
 * `minRefetchIntervalMs` — and otherwise refused with `ERR_JWKS_NO_MATCHING_KEY`.
 *
 * @param uri - `https://…/jwks.json` (`http:` only for loopback hosts, e.g. tests)
 * @param options - TTL (10 min), refetch interval (30 s), timeout (5 s)
 * @throws SwitchboardError `INVALID_OPTIONS` for a URI that is not https (or http on loopback)
 * @example
 * ```ts
 * const getKey = remoteJwks('https://auth.example.com/.well-known/jwks.json');
 * await jwtVerify(token, getKey, { audience, issuer });
 * ```
 */
export function remoteJwks(uri: string | URL, options: JwksCacheOptions = {}): JWTVerifyGetKey {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw new SwitchboardError('INVALID_OPTIONS', `JWKS URI "${String(uri)}" is not a URL`, { cause });
  }
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `JWKS URI must be https:// (http:// only on loopback), got "${url.protocol}//${url.host}"`,
    );
  }
  return loadJose().createRemoteJWKSet(url, {
    cacheMaxAge: options.ttlMs ?? DEFAULT_JWKS_TTL_MS,
    cooldownDuration: options.minRefetchIntervalMs ?? DEFAULT_JWKS_MIN_REFETCH_MS,
    timeoutDuration: options.timeoutMs ?? 5_000,
  });
}
