import { createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import type { JWK, JWTPayload, JWTVerifyGetKey } from 'jose';
import { SwitchboardError } from '../errors.js';
import { loadJose } from '../lazy-modules.js';
import { remoteJwks, type JwksCacheOptions } from './jwks-cache.js';

/** Algorithms a verifier can be pinned to. `none` is never one of them. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const HMAC = new Set(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC = JWT_ALGORITHMS.filter((a) => !HMAC.has(a));
/** Shortest HMAC secret: 32 bytes (RFC 7518 §3.2: at least the hash size). */
export const MIN_JWT_SECRET_BYTES = 32;
/** Longest token accepted, in characters (a header flood guard; real tokens are far smaller). */
export const MAX_JWT_LENGTH = 8 * 1024;

/** Options of {@link JwtVerifier}: exactly one key source, and the audience. */
export interface JwtVerifierOptions {
  /** HMAC secret (HS256/384/512), at least 32 bytes. Never a PEM or JWK: those are public keys. */
  secret?: string | Uint8Array | undefined;
  /** Public key: PEM (SPKI or certificate) text, a JWK object, or a `KeyObject`. */
  publicKey?: string | JWK | KeyObject | undefined;
  /** JWKS endpoint (cached; see {@link JwksCacheOptions}). */
  jwksUri?: string | URL | undefined;
  /** JWKS cache settings. */
  jwks?: JwksCacheOptions | undefined;
  /** Accepted `alg` values (default: every algorithm the key can verify). */
  algorithms?: readonly string[] | undefined;
  /** Required: the `aud` the token must name (any one of them). Tokens for other servers are refused. */
  audience: string | readonly string[];
  /** Required `iss` (any one of them), when given. */
  issuer?: string | readonly string[] | undefined;
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 60). */
  clockToleranceSec?: number | undefined;
  /** Refuse tokens without `exp` (default true). */
  requireExpiry?: boolean | undefined;
}

/** A verified token. */
export interface VerifiedJwt {
  payload: JWTPayload;
  /** The `alg` it was signed with. */
  algorithm: string;
}

/** Why a token was refused (logged; the client sees only `invalid_token`). */
export type JwtRefusal =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'issued-in-future'
  | 'claim'
  | 'key-set-unavailable';

const invalid = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

const CURVE_ALGORITHM: Readonly<Record<string, string>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

function algorithmsForKey(key: KeyObject): string[] {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
  if (type === 'rsa-pss') return ['PS256', 'PS384', 'PS512'];
  if (type === 'ed25519') return ['EdDSA', 'Ed25519'];
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const alg = CURVE_ALGORITHM[curve];
    if (alg === undefined) throw invalid(`JWT public key: unsupported EC curve ${curve}`);
    return [alg];
  }
  throw invalid(`JWT public key: unsupported key type ${String(type)}`);
}

function publicKeyOf(input: string | JWK | KeyObject): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'secret') throw invalid('JWT public key: a secret KeyObject is not a public key');
    return createPublicKey(input);
  }
  if (typeof input === 'object') {
    if (input.kty === 'oct')
      throw invalid('JWT public key: a symmetric (oct) JWK is a secret, not a public key');
    return createPublicKey({ key: input as JsonWebKey, format: 'jwk' });
  }
  try {
    return createPublicKey(input);
  } catch (cause) {
    throw new SwitchboardError('INVALID_OPTIONS', 'JWT public key: not a PEM public key or certificate', {
      cause,
    });
  }
}

function secretOf(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const text = typeof secret === 'string' ? secret.trim() : '';
  // An HMAC secret that is a public key is the classic algorithm-confusion setup: refuse it outright.
  if (text.startsWith('-----BEGIN') || text.startsWith('{')) {
    throw invalid(
      'JWT secret looks like a PEM or JWK key; give public keys as a public key (--jwt-public-key)',
    );
  }
  if (bytes.length < MIN_JWT_SECRET_BYTES) {
    throw invalid(`JWT secret must be at least ${MIN_JWT_SECRET_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function pinAlgorithms(possible: readonly string[], requested: readonly string[] | undefined): string[] {
  if (requested === undefined) return [...possible];
  if (requested.length === 0) throw invalid('JWT algorithms: the list is empty');
  for (const alg of requested) {
    if (alg.toLowerCase() === 'none') throw invalid('JWT algorithm "none" is never accepted');
    if (!(JWT_ALGORITHMS as readonly string[]).includes(alg))
      throw invalid(`JWT algorithm "${alg}" is not supported`);
    if (!possible.includes(alg)) {
      throw invalid(
        `JWT algorithm "${alg}" cannot be verified with the configured key (possible: ${possible.join(', ')})`,
      );
    }
  }
  return [...requested];
}

/**
 * Verifies bearer JWTs for one resource server (jose underneath): signature with a pinned algorithm
 * list (never `none`; HMAC only with a secret, asymmetric only with public keys), `exp`/`nbf`/`iat`
 * with clock skew (default 60 s), the issuer when configured, and — always — the audience.
 *
 * @example
 * ```ts
 * const verifier = new JwtVerifier({ jwksUri: 'https://auth.example.com/jwks.json', audience: 'https://mcp.example.com/mcp', issuer: 'https://auth.example.com' });
 * const { payload } = await verifier.verify(token);
 * ```
 */
export class JwtVerifier {
  readonly #key: Uint8Array | KeyObject | JWTVerifyGetKey;
  readonly #algorithms: string[];
  readonly #audience: string[];
  readonly #issuer: string[] | undefined;
  readonly #tolerance: number;
  readonly #requireExpiry: boolean;

  /**
   * @param options - key source (exactly one), audience (required), issuer, algorithms, skew
   * @throws SwitchboardError `INVALID_OPTIONS` for a missing audience, zero or several key sources, a weak
   *   secret, a secret that is a public key, or algorithms the key cannot verify (or `none`)
   */
  constructor(options: JwtVerifierOptions) {
    const sources = [options.secret, options.publicKey, options.jwksUri].filter((s) => s !== undefined);
    if (sources.length !== 1) throw invalid('JWT: give exactly one of a secret, a public key or a JWKS URI');
    const audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
    if (audience.length === 0 || audience.some((a) => a === ''))
      throw invalid('JWT: an audience is required');
    this.#audience = audience;
    if (options.secret !== undefined) {
      const secret = secretOf(options.secret);
      const possible = ['HS256', 'HS384', 'HS512'].filter((_, i) => secret.length >= 32 + 16 * i);
      this.#key = secret;
      this.#algorithms = pinAlgorithms(possible, options.algorithms);
    } else if (options.publicKey !== undefined) {
      const key = publicKeyOf(options.publicKey);
      this.#key = key;
      this.#algorithms = pinAlgorithms(algorithmsForKey(key), options.algorithms);
    } else {
      this.#key = remoteJwks(options.jwksUri as string | URL, options.jwks);
      this.#algorithms = pinAlgorithms(ASYMMETRIC, options.algorithms);
    }
    const issuer = options.issuer;
    this.#issuer = issuer === undefined ? undefined : typeof issuer === 'string' ? [issuer] : [...issuer];
    this.#tolerance = options.clockToleranceSec ?? 60;
    this.#requireExpiry = options.requireExpiry ?? true;
  }

  /** The pinned algorithms. */
  get algorithms(): readonly string[] {
    return this.#algorithms;
  }

  /**
   * Verifies a compact JWT.
   *
   * @throws SwitchboardError `AUTH_REQUIRED` with `details.reason` ({@link JwtRefusal}) and, for claim
   *   failures, `details.claim`; the message never contains the token
   */
  async verify(token: string): Promise<VerifiedJwt> {
    if (token.length > MAX_JWT_LENGTH || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
      throw refusal('malformed', 'The token is not a compact JWS');
    }
    let verified;
    try {
      verified = await loadJose().jwtVerify(token, this.#key as Uint8Array, {
        algorithms: this.#algorithms,
        audience: this.#audience,
        ...(this.#issuer ? { issuer: this.#issuer } : {}),
        clockTolerance: this.#tolerance,
        requiredClaims: this.#requireExpiry ? ['exp'] : [],
      });
    } catch (error) {
      throw mapJoseError(error);
    }
    const iat = verified.payload.iat;
    if (typeof iat === 'number' && iat > Date.now() / 1000 + this.#tolerance) {
      throw refusal('issued-in-future', 'The token was issued in the future');
    }
    return { payload: verified.payload, algorithm: verified.protectedHeader.alg };
  }
}

function refusal(reason: JwtRefusal, message: string, claim?: string): SwitchboardError {
  return new SwitchboardError('AUTH_REQUIRED', message, { details: { reason, ...(claim ? { claim } : {}) } });
}

function mapJoseError(error: unknown): SwitchboardError {
  const { errors } = loadJose();
  if (error instanceof errors.JWTExpired) return refusal('expired', 'The token has expired', 'exp');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return refusal('not-yet-valid', 'The token is not valid yet', 'nbf');
    return refusal('claim', `The token's "${error.claim}" claim is not acceptable`, error.claim);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return refusal('signature', 'Bad token signature');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return refusal('algorithm', 'The token algorithm is not accepted');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return refusal('unknown-key', 'No key matches the token');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new SwitchboardError('AUTH_REQUIRED', 'The key set is unavailable', {
      cause: error,
      details: { reason: 'key-set-unavailable' },
    });
  }
  if (error instanceof errors.JOSEError) return refusal('malformed', 'The token is malformed');
  // A fetch failure of the key set (network) surfaces as a plain error.
  return new SwitchboardError('AUTH_REQUIRED', 'The key set is unavailable', {
    cause: error,
    details: { reason: 'key-set-unavailable' },
  });
}
