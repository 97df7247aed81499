import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SwitchboardError } from '../errors.js';

/** What a sealed `requestState` carries (opaque to the client, integrity-protected by the proxy). */
export interface RequestStateClaims {
  /** The parked call this state resumes. */
  call: string;
  /** Which input round it answers: a state is good for exactly one retry. */
  round: number;
  /** The caller it was issued to. */
  principal: string;
  /** The originating request: method and `params.name`/`params.uri`. */
  method: string;
  target: string | undefined;
}

/** Options of {@link RequestStateSealer}. */
export interface RequestStateSealerOptions {
  /** HMAC key (≥ 32 bytes). Default: 32 random bytes generated now (states die with the process). */
  key?: Buffer | undefined;
  /** How long a state stays valid, in ms (default 10 minutes). */
  ttlMs?: number | undefined;
  /** Clock (tests). */
  now?: (() => number) | undefined;
}

/** Longest `requestState` accepted (anything longer is refused before any parsing). */
const MAX_STATE_LENGTH = 2048;
const VERSION = 1;

interface Wire {
  v: number;
  c: string;
  r: number;
  p: string;
  m: string;
  t?: string;
  e: number;
}

const digest = (principal: string): string =>
  createHash('sha256').update(principal).digest('base64url').slice(0, 22);

/**
 * Seals and opens the `requestState` the proxy hands a 2026-07-28 client when a 2025-era server raises a
 * server→client request: `base64url(JSON) "." base64url(HMAC-SHA256)`. The payload binds the state to
 * the parked call and its round, the caller (a digest of the principal), the originating method and
 * name, and an expiry — so a tampered state, one replayed by another principal or on another request,
 * a stale round and an expired state are all refused (spec: MRTR server requirements).
 *
 * @example
 * ```ts
 * const sealer = new RequestStateSealer();
 * const state = sealer.seal({ call: 'c1', round: 1, principal: 'alice', method: 'tools/call', target: 'x' });
 * sealer.open(state, 'alice'); // → claims, or throws SwitchboardError INVALID_REQUEST_STATE
 * ```
 */
export class RequestStateSealer {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /**
   * @param options - key, lifetime, clock
   * @throws SwitchboardError `INVALID_OPTIONS` for a key shorter than 32 bytes
   */
  constructor(options: RequestStateSealerOptions = {}) {
    const key = options.key ?? randomBytes(32);
    if (key.length < 32) {
      throw new SwitchboardError('INVALID_OPTIONS', 'The requestState key must be at least 32 bytes');
    }
    this.#key = key;
    this.#ttlMs = options.ttlMs ?? 600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Lifetime of a sealed state, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Seals `claims` into an opaque string that expires after the configured lifetime. */
  seal(claims: RequestStateClaims): string {
    const wire: Wire = {
      v: VERSION,
      c: claims.call,
      r: claims.round,
      p: digest(claims.principal),
      m: claims.method,
      e: this.#now() + this.#ttlMs,
    };
    if (claims.target !== undefined) wire.t = claims.target;
    const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /**
   * Verifies a state presented by `principal` and returns its claims.
   *
   * @throws SwitchboardError `INVALID_REQUEST_STATE` (tampered, malformed, expired, or another principal's)
   */
  open(state: unknown, principal: string): RequestStateClaims {
    if (typeof state !== 'string' || state.length > MAX_STATE_LENGTH) throw refused('malformed');
    const dot = state.indexOf('.');
    if (dot <= 0) throw refused('malformed');
    const body = state.slice(0, dot);
    const mac = Buffer.from(state.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw refused('tampered');
    let wire: Wire;
    try {
      wire = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Wire;
    } catch {
      throw refused('malformed');
    }
    if (wire.v !== VERSION || typeof wire.c !== 'string' || typeof wire.r !== 'number') {
      throw refused('malformed');
    }
    if (typeof wire.e !== 'number' || this.#now() > wire.e) throw refused('expired');
    if (wire.p !== digest(principal)) throw refused('foreign');
    return { call: wire.c, round: wire.r, principal, method: wire.m, target: wire.t };
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

const REASONS = {
  malformed: 'the requestState is not one this proxy issued',
  tampered: 'the requestState failed its integrity check',
  expired: 'the requestState has expired; send the request again without it',
  foreign: 'the requestState was issued to another caller',
} as const;

function refused(reason: keyof typeof REASONS): SwitchboardError {
  return new SwitchboardError('INVALID_REQUEST_STATE', `Refused: ${REASONS[reason]}`, {
    details: { reason },
  });
}

/**
 * Reads a `requestState` key from config: base64, base64url or hex text of at least 32 bytes.
 *
 * @throws SwitchboardError `INVALID_OPTIONS`
 */
export function parseStateKey(text: string): Buffer {
  const trimmed = text.trim();
  const key =
    /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
  if (key.length < 32) {
    throw new SwitchboardError('INVALID_OPTIONS', 'era.stateKey must hold at least 32 bytes (hex or base64)');
  }
  return key;
}
