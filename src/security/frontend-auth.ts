/**
 * How callers of one frontend prove who they are:
 * - `headers`: a bearer token or API key on every HTTP request, or on the WebSocket upgrade;
 * - `mtls`: a client certificate verified against the client CA during the TLS handshake;
 * - `file-permissions`: a Unix socket created `0600` (its owner only);
 * - `parent`: stdio, in-process memory — the caller is the process that started or embeds us;
 * - `none`: nothing (plain `tcp://`, `tls://` without a client CA, unknown schemes).
 */
export type FrontendAuthentication = 'headers' | 'mtls' | 'file-permissions' | 'parent' | 'none';

import { SwitchboardError } from '../errors.js';

const schemeOf = (uri: string): string => /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';

/**
 * What authenticates callers of the frontend `uri`.
 *
 * @param uri - a listen URI (`tcp://0.0.0.0:7000`, `ws://…`, `stdio:`)
 * @param mtls - `true` when TLS frontends require client certificates (`--tls-client-ca`)
 * @example
 * ```ts
 * frontendAuthentication('tcp://0.0.0.0:7000', false); // 'none'
 * frontendAuthentication('tls://0.0.0.0:7443', true);  // 'mtls'
 * ```
 */
export function frontendAuthentication(uri: string, mtls: boolean): FrontendAuthentication {
  switch (schemeOf(uri)) {
    case 'http':
    case 'https':
    case 'ws':
    case 'wss':
      return 'headers';
    case 'tls':
      return mtls ? 'mtls' : 'none';
    case 'unix':
      return 'file-permissions';
    case 'stdio':
    case 'memory':
      return 'parent';
    default:
      return 'none';
  }
}

/**
 * The frontends that would serve callers unauthenticated although authentication is configured, minus
 * those named in `allowed` (an explicit opt-in, matched exactly against the listen URI).
 *
 * @param listen - the listen URIs
 * @param mtls - `true` when TLS frontends require client certificates
 * @param allowed - URIs the operator allows to stay unauthenticated
 */
export function unauthenticatedFrontends(
  listen: readonly string[],
  mtls: boolean,
  allowed: readonly string[] = [],
): string[] {
  return listen.filter((uri) => frontendAuthentication(uri, mtls) === 'none' && !allowed.includes(uri));
}

/** Options of {@link checkFrontendAuthentication}. */
export interface FrontendAuthenticationCheck {
  /** TLS frontends require client certificates. */
  mtls: boolean;
  /** `--require-auth` is on (named in the refusal). */
  requireAuth: boolean;
  /** Listen URIs explicitly allowed to stay unauthenticated (`--allow-unauthenticated-frontend`). */
  allowed: readonly string[];
  /** Authentication (a scheme or `requireAuth`) is configured (default true). */
  authConfigured?: boolean | undefined;
}

/**
 * The startup rule "configured authentication applies to every frontend": with authentication
 * configured, a frontend that carries no token (`tcp://`, `tls://` without client certificates) is a
 * startup error unless explicitly allowed. An allowance naming no listen URI is an error either way.
 *
 * @param listen - the listen URIs
 * @returns the explicitly allowed frontends that will serve anyone (to warn about)
 * @throws SwitchboardError `INVALID_OPTIONS` naming the frontend and the fixes
 */
export function checkFrontendAuthentication(
  listen: readonly string[],
  options: FrontendAuthenticationCheck,
): string[] {
  const stray = options.allowed.filter((uri) => !listen.includes(uri));
  if (stray.length > 0) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--allow-unauthenticated-frontend ${stray[0] ?? ''}: not one of the --listen URIs (give it exactly as listed)`,
    );
  }
  if (options.authConfigured === false) return [];
  const blind = unauthenticatedFrontends(listen, options.mtls, options.allowed);
  if (blind.length > 0) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `${blind.join(', ')} cannot authenticate callers (no headers carry a token or key) while ${options.requireAuth ? '--require-auth is on' : 'authentication is configured'}; serve HTTP/WebSocket, tls:// with --tls-client-ca (mTLS) or unix:// (file permissions), or accept unauthenticated callers there with --allow-unauthenticated-frontend ${blind[0] ?? ''}`,
    );
  }
  return options.allowed.filter((uri) => frontendAuthentication(uri, options.mtls) === 'none');
}
