import { createHash, timingSafeEqual } from 'node:crypto';
import { SwitchboardError } from '../errors.js';

/** One API key as configured: the key itself, or its SHA-256 (`sha256:<64 hex>`), with an id and scopes. */
export interface ApiKeyEntry {
  /** Names the key in logs, rate limits and policies (default `key<N>`). Never the key itself. */
  id?: string | undefined;
  /** The key, or `sha256:<hex>` of it (so config files need not hold the key). */
  key: string;
  /** Scopes granted to callers presenting this key (for the authorization policy). */
  scopes?: readonly string[] | undefined;
}

/** Who presented a valid key. */
export interface ApiKeyMatch {
  id: string;
  scopes: readonly string[];
}

/** Shortest accepted key: 16 characters (guessing must not be practical). */
export const MIN_API_KEY_LENGTH = 16;

interface Stored {
  id: string;
  digest: Buffer;
  scopes: readonly string[];
}

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * Parses `id:key` lines or comma-separated entries (from an environment variable or a key file): blank
 * lines and `#` comments are skipped; an entry without `id:` gets a generated id.
 *
 * @param text - e.g. `ci:3f9a…\nops:sha256:ab12…`
 * @example
 * ```ts
 * parseApiKeyList('ci:0123456789abcdef0123'); // [{ id: 'ci', key: '0123456789abcdef0123' }]
 * ```
 */
export function parseApiKeyList(text: string): ApiKeyEntry[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const colon = line.indexOf(':');
      // `sha256:…` alone is a hashed key without an id, not an id "sha256".
      if (colon <= 0 || line.startsWith('sha256:')) return { key: line };
      return { id: line.slice(0, colon), key: line.slice(colon + 1) };
    });
}

/**
 * API keys held as SHA-256 digests only, checked in constant time: the presented key is hashed and
 * compared with `timingSafeEqual` against *every* stored digest (no early exit), so neither the match
 * position nor a common prefix shows in the timing.
 *
 * @example
 * ```ts
 * const keys = new ApiKeyStore([{ id: 'ci', key: process.env.CI_KEY! }]);
 * keys.verify(req.headers['x-api-key']); // { id: 'ci', scopes: [] } or undefined
 * ```
 */
export class ApiKeyStore {
  readonly #keys: Stored[];

  /**
   * @param entries - keys (plain or `sha256:<hex>`)
   * @throws SwitchboardError `INVALID_OPTIONS` for a key shorter than 16 characters, a malformed
   *   digest, or a repeated id
   */
  constructor(entries: readonly ApiKeyEntry[]) {
    const ids = new Set<string>();
    this.#keys = entries.map((entry, i) => {
      const id = entry.id ?? `key${i + 1}`;
      if (ids.has(id)) throw new SwitchboardError('INVALID_OPTIONS', `API key id "${id}" is used twice`);
      ids.add(id);
      return { id, digest: storedDigest(entry.key, id), scopes: [...(entry.scopes ?? [])] };
    });
  }

  /** Number of keys. */
  get size(): number {
    return this.#keys.length;
  }

  /**
   * Checks a presented key.
   *
   * @param presented - the header value (an empty or missing value never matches)
   * @returns the matching key's id and scopes, or `undefined`
   */
  verify(presented: string | undefined): ApiKeyMatch | undefined {
    if (presented === undefined || presented === '') return undefined;
    const digest = digestOf(presented);
    let match: Stored | undefined;
    for (const stored of this.#keys) {
      // Every digest is compared, whatever matched before.
      if (timingSafeEqual(digest, stored.digest) && match === undefined) match = stored;
    }
    return match === undefined ? undefined : { id: match.id, scopes: match.scopes };
  }
}

function storedDigest(key: string, id: string): Buffer {
  if (key.startsWith('sha256:')) {
    const hex = key.slice('sha256:'.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      throw new SwitchboardError('INVALID_OPTIONS', `API key "${id}": expected sha256:<64 hex digits>`);
    }
    return Buffer.from(hex, 'hex');
  }
  if (key.length < MIN_API_KEY_LENGTH) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `API key "${id}" is shorter than ${MIN_API_KEY_LENGTH} characters`,
    );
  }
  return digestOf(key);
}
