import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { SwitchboardError } from '../../errors.js';
import type { LinkKey } from './link-keys.js';

/** Which way a frame travels: from the side that dialled (`c2s`) or the side that accepted (`s2c`). */
export type LinkDirection = 'c2s' | 's2c';

/** A sealed frame's fields. */
export interface SealedFrame {
  /** Key id. */
  k: string;
  /** Frame counter of this direction (the nonce). */
  n: number;
  /** base64 of ciphertext ‖ 16-byte tag. */
  d: string;
}

const TAG_BYTES = 16;

function nonceOf(counter: number): Buffer {
  const nonce = Buffer.alloc(12);
  // 4 zero bytes ‖ 64-bit big-endian counter (counters stay below 2^53).
  nonce.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 4);
  nonce.writeUInt32BE(counter >>> 0, 8);
  return nonce;
}

function aadOf(direction: LinkDirection, keyId: string, counter: number): Buffer {
  return Buffer.from(`mcp-switchboard/link/1 ${direction} ${keyId} ${counter}`);
}

/**
 * Per-connection, per-direction AES-256-GCM keys: HKDF-SHA256 of the configured key, salted with both
 * sides' random handshake salts. Fresh salts on every connection mean a counter nonce never repeats
 * under one key, and frames recorded from one connection never open on another.
 */
class DerivedKeys {
  readonly #keys: readonly LinkKey[];
  readonly #salt: Buffer;
  readonly #cache = new Map<string, Buffer>();

  constructor(keys: readonly LinkKey[], salt: Buffer) {
    this.#keys = keys;
    this.#salt = salt;
  }

  get(keyId: string, direction: LinkDirection): Buffer | undefined {
    const cacheKey = `${direction} ${keyId}`;
    let derived = this.#cache.get(cacheKey);
    if (derived === undefined) {
      const key = this.#keys.find((k) => k.id === keyId);
      if (key === undefined) return undefined;
      derived = Buffer.from(
        hkdfSync('sha256', key.secret, this.#salt, `mcp-switchboard link v1 ${direction} ${keyId}`, 32),
      );
      this.#cache.set(cacheKey, derived);
    }
    return derived;
  }
}

/**
 * Seals and opens the frames of one link connection (AES-256-GCM envelope).
 *
 * - Nonces are per-direction **counters**, never random: frame *n* of a direction uses nonce *n*, and the
 *   receiver accepts only the next counter it expects, so a replayed, dropped or reordered frame is
 *   rejected.
 * - The direction, key id and counter are authenticated (AAD); the key id names which configured key
 *   sealed the frame, so keys rotate without a flag day.
 */
export class LinkSealer {
  readonly #derived: DerivedKeys;
  readonly #sendKeyId: string;
  readonly #out: LinkDirection;
  readonly #in: LinkDirection;
  #sent = 0;
  #expected = 0;

  /**
   * @param keys - configured keys; the first seals what this side sends
   * @param salt - the dialler's salt ‖ the acceptor's salt
   * @param role - `dialer` sends `c2s` frames, `acceptor` sends `s2c` frames
   */
  constructor(keys: readonly LinkKey[], salt: Buffer, role: 'dialer' | 'acceptor') {
    const first = keys[0];
    if (first === undefined)
      throw new SwitchboardError('INVALID_OPTIONS', 'link encryption needs at least one key');
    this.#derived = new DerivedKeys(keys, salt);
    this.#sendKeyId = first.id;
    this.#out = role === 'dialer' ? 'c2s' : 's2c';
    this.#in = role === 'dialer' ? 's2c' : 'c2s';
  }

  /** Seals the next outgoing frame. */
  seal(plaintext: Buffer): SealedFrame {
    const n = this.#sent++;
    const key = this.#derived.get(this.#sendKeyId, this.#out) as Buffer;
    const cipher = createCipheriv('aes-256-gcm', key, nonceOf(n), { authTagLength: TAG_BYTES });
    cipher.setAAD(aadOf(this.#out, this.#sendKeyId, n));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { k: this.#sendKeyId, n, d: body.toString('base64') };
  }

  /**
   * Opens the next incoming frame.
   *
   * @throws SwitchboardError `LINK_FAILED` (`details.reason`: `replayed`, `out-of-order`, `unknown-key`,
   *   `tampered`) — the frame must be dropped and the link closed
   */
  open(frame: SealedFrame): Buffer {
    const fail = (reason: string, message: string): SwitchboardError =>
      new SwitchboardError('LINK_FAILED', message, { details: { reason } });
    if (!Number.isSafeInteger(frame.n) || frame.n < this.#expected) {
      throw fail('replayed', `Link frame ${frame.n} rejected: already received (replay)`);
    }
    if (frame.n > this.#expected) {
      throw fail('out-of-order', `Link frame ${frame.n} rejected: expected frame ${this.#expected}`);
    }
    const key = this.#derived.get(frame.k, this.#in);
    if (key === undefined) throw fail('unknown-key', `Link frame sealed with unknown key "${frame.k}"`);
    const body = Buffer.from(frame.d, 'base64');
    if (body.length < TAG_BYTES) throw fail('tampered', 'Link frame rejected: too short');
    const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(frame.n), { authTagLength: TAG_BYTES });
    decipher.setAAD(aadOf(this.#in, frame.k, frame.n));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (cause) {
      throw new SwitchboardError(
        'LINK_FAILED',
        'Link frame rejected: authentication failed (tampered or wrong key)',
        {
          cause,
          details: { reason: 'tampered' },
        },
      );
    }
    this.#expected++;
    return plaintext;
  }
}
