import { SwitchboardError } from '../../errors.js';

/** One AES-256 key of a link, named so that frames can say which key sealed them. */
export interface LinkKey {
  /** Short name, sent in clear with each frame (`k1`, `2026-11`). */
  id: string;
  /** 32 bytes. */
  secret: Buffer;
}

/** A key as configuration writes it: the secret as base64 (44 characters) or hex (64). */
export interface LinkKeyInput {
  id: string;
  secret: string;
}

/**
 * Validates configured keys: ids unique and short, secrets exactly 32 bytes. The first key seals what
 * this side sends; every listed key is accepted on receipt (that is how keys rotate).
 *
 * @throws SwitchboardError `INVALID_OPTIONS` naming the bad key (never printing a secret)
 */
export function parseLinkKeys(keys: readonly LinkKeyInput[]): LinkKey[] {
  const seen = new Set<string>();
  return keys.map((k) => {
    if (!/^[\w.-]{1,32}$/.test(k.id)) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `link key "${k.id}": the id must be 1-32 of [A-Za-z0-9_.-]`,
      );
    }
    if (seen.has(k.id)) throw new SwitchboardError('INVALID_OPTIONS', `link key "${k.id}" is listed twice`);
    seen.add(k.id);
    const secret = /^[0-9a-fA-F]{64}$/.test(k.secret)
      ? Buffer.from(k.secret, 'hex')
      : Buffer.from(k.secret, 'base64');
    if (secret.length !== 32) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `link key "${k.id}": the secret must be 32 bytes, as base64 or hex (e.g. openssl rand -base64 32)`,
      );
    }
    return { id: k.id, secret };
  });
}
