import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { JWTPayload } from 'jose';
import { SwitchboardError } from '../errors.js';
import type { AuthInfo } from '../transport.js';
import type { HttpRejection } from '../transports/http/server/options.js';
import type { ApiKeyStore } from './api-keys.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { bearerChallenge } from './protected-resource.js';

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** Verifies `Authorization: Bearer <jwt>`. */
  jwt?: JwtVerifier | undefined;
  /** API keys, read from {@link apiKeyHeader} (and from `Authorization: Bearer` when no JWT verifier is set). */
  apiKeys?: ApiKeyStore | undefined;
  /** Header carrying the API key (default `x-api-key`). */
  apiKeyHeader?: string | undefined;
  /** Refuse unauthenticated requests even when no scheme is configured (fail closed). */
  requireAuth?: boolean | undefined;
  /** The protected resource metadata URL, announced in `WWW-Authenticate` (when JWT is on). */
  resourceMetadataUrl?: (() => string | undefined) | undefined;
  /** Scopes hinted in 401 challenges. */
  scopesHint?: readonly string[] | undefined;
  /** Request headers copied into `authInfo.extra.headers` (for per-user child environments). */
  captureHeaders?: readonly string[] | undefined;
  /** Told about each refusal (for logs and metrics; never carries the credential). */
  onRefused?: ((refusal: AuthRefusal) => void) | undefined;
}

/** A logged refusal. */
export interface AuthRefusal {
  scheme: 'jwt' | 'api-key' | 'none';
  /** Machine-readable reason (`expired`, `signature`, `unknown-key`, `missing`, `wrong-key`, …). */
  reason: string;
}

/** What {@link Authenticator.authenticate} decided. */
export type AuthOutcome = { authInfo?: AuthInfo | undefined } | { reject: HttpRejection };

/** Default API key header. */
export const DEFAULT_API_KEY_HEADER = 'x-api-key';

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Scopes of a token: the `scope` string (RFC 8693/9068) or the `scp` array/string. */
export function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter((s) => s !== '');
  return Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * Authenticates one request from its headers (HTTP requests and WebSocket upgrades alike): a bearer
 * JWT, an API key, or nothing — refused when a scheme is configured or `requireAuth` is on. Refusals are
 * 401 with a `WWW-Authenticate` challenge (`resource_metadata` for OAuth clients); the response never
 * echoes the credential.
 *
 * `authInfo.clientId` carries the *binding key* of the caller, to which the HTTP listener binds each
 * session so one user cannot drive another's: for a JWT, its issuer and subject together (else its
 * issuer and `client_id`/`azp`; a token with neither is a principal of its own, keyed by a hash of the
 * token); `apikey:<id>` for keys. `authInfo.extra.principal` is the name policies and rate limits use
 * (`sub:<subject>`, `client:<id>`, `token:<hash>`, `apikey:<id>`).
 *
 * @example
 * ```ts
 * const auth = new Authenticator({ jwt: verifier, resourceMetadataUrl: () => prmUrl });
 * listen(uri, { http: { authenticate: (req) => auth.authenticate(req.headers, req.url) } });
 * ```
 */
export class Authenticator {
  readonly #o: AuthenticatorOptions;
  readonly #apiKeyHeader: string;

  /** @param options - schemes, header name (default `x-api-key`), fail-closed switch */
  constructor(options: AuthenticatorOptions) {
    this.#o = options;
    this.#apiKeyHeader = (options.apiKeyHeader ?? DEFAULT_API_KEY_HEADER).toLowerCase();
  }

  /** `true` when any scheme is configured or authentication is required. */
  get active(): boolean {
    return this.#o.jwt !== undefined || this.#o.apiKeys !== undefined || this.#o.requireAuth === true;
  }

  /** The API key header name (lower case). */
  get apiKeyHeader(): string {
    return this.#apiKeyHeader;
  }

  /**
   * @param headers - request headers
   * @param url - request target (a token in its query string is refused: tokens go in headers only)
   */
  async authenticate(headers: IncomingHttpHeaders, url?: string): Promise<AuthOutcome> {
    const { jwt, apiKeys } = this.#o;
    if (url !== undefined && /[?&](access_token|api_key|apikey)=/i.test(url)) {
      return this.#refuse(
        400,
        'none',
        'token-in-query',
        'Credentials in the query string are not accepted',
        'invalid_request',
      );
    }
    const authorization = headerOf(headers, 'authorization');
    const bearer =
      authorization === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
    if (authorization !== undefined && bearer === undefined && jwt !== undefined) {
      return this.#refuse(
        401,
        'jwt',
        'malformed-header',
        'Malformed Authorization header',
        'invalid_request',
      );
    }
    if (bearer !== undefined && jwt !== undefined) return this.#viaJwt(jwt, bearer, headers);
    const key = headerOf(headers, this.#apiKeyHeader) ?? (jwt === undefined ? bearer : undefined);
    if (key !== undefined && apiKeys !== undefined) {
      const match = apiKeys.verify(key);
      if (match === undefined) return this.#refuse(401, 'api-key', 'wrong-key', 'Invalid API key');
      return {
        authInfo: this.#withHeaders(
          {
            token: '',
            clientId: `apikey:${match.id}`,
            scopes: [...match.scopes],
            extra: { scheme: 'api-key', principal: `apikey:${match.id}` },
          },
          headers,
        ),
      };
    }
    if (this.active) return this.#refuse(401, 'none', 'missing', 'Authentication required');
    const captured = this.#captured(headers);
    return captured
      ? {
          authInfo: {
            token: '',
            clientId: 'anonymous',
            scopes: [],
            extra: { scheme: 'none', headers: captured },
          },
        }
      : {};
  }

  async #viaJwt(jwt: JwtVerifier, token: string, headers: IncomingHttpHeaders): Promise<AuthOutcome> {
    let payload: JWTPayload;
    try {
      payload = (await jwt.verify(token)).payload;
    } catch (error) {
      const e = error instanceof SwitchboardError ? error : undefined;
      const reason = typeof e?.details.reason === 'string' ? e.details.reason : 'invalid';
      return this.#refuse(401, 'jwt', reason, e?.message ?? 'Invalid token', 'invalid_token');
    }
    const subject = typeof payload.sub === 'string' ? payload.sub : undefined;
    const clientId =
      typeof payload.client_id === 'string'
        ? payload.client_id
        : typeof payload.azp === 'string'
          ? payload.azp
          : undefined;
    const issuer = typeof payload.iss === 'string' ? payload.iss : '';
    // Neither a subject nor a client: the token itself is the principal (its holder, and only it).
    const tokenKey = `token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
    const principal =
      subject !== undefined ? `sub:${subject}` : clientId !== undefined ? `client:${clientId}` : tokenKey;
    // Two issuers may hand out the same subject to different people: sessions bind to both.
    const binding = principal === tokenKey ? tokenKey : `jwt:${JSON.stringify([issuer, principal])}`;
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    const authInfo: AuthInfo = {
      token,
      clientId: binding,
      scopes: scopesOf(payload),
      ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
      ...(aud !== undefined && URL.canParse(aud) ? { resource: new URL(aud) } : {}),
      extra: {
        scheme: 'jwt',
        principal,
        claims: payload,
        ...(clientId !== undefined ? { oauthClientId: clientId } : {}),
      },
    };
    return { authInfo: this.#withHeaders(authInfo, headers) };
  }

  #captured(headers: IncomingHttpHeaders): Record<string, string> | undefined {
    const names = this.#o.captureHeaders;
    if (!names?.length) return undefined;
    const out: Record<string, string> = {};
    for (const name of names) {
      const v = headerOf(headers, name.toLowerCase());
      if (v !== undefined) out[name.toLowerCase()] = v;
    }
    return out;
  }

  #withHeaders(authInfo: AuthInfo, headers: IncomingHttpHeaders): AuthInfo {
    const captured = this.#captured(headers);
    return captured ? { ...authInfo, extra: { ...authInfo.extra, headers: captured } } : authInfo;
  }

  #refuse(
    status: number,
    scheme: AuthRefusal['scheme'],
    reason: string,
    message: string,
    error?: 'invalid_token' | 'invalid_request',
  ): AuthOutcome {
    try {
      this.#o.onRefused?.({ scheme, reason });
    } catch {
      // A throwing observer must not turn a refusal into an admission.
    }
    const challenges: string[] = [];
    if (this.#o.jwt !== undefined || this.#o.apiKeys === undefined) {
      challenges.push(
        bearerChallenge({
          resourceMetadata: this.#o.jwt ? this.#o.resourceMetadataUrl?.() : undefined,
          error,
          description: error ? message : undefined,
          scope: this.#o.scopesHint,
        }),
      );
    }
    if (this.#o.apiKeys !== undefined) challenges.push(`ApiKey header="${this.#apiKeyHeader}"`);
    return {
      reject: {
        status,
        message: `${status === 400 ? 'Bad Request' : 'Unauthorized'}: ${message}`,
        headers: { 'www-authenticate': challenges.join(', ') },
      },
    };
  }
}
