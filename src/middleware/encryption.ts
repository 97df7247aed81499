import { link, type LinkOptions } from './link.js';
import type { TransportMiddleware } from './pipe.js';

export type { LinkKey, LinkKeyInput } from './link.js';
export { parseLinkKeys } from './link.js';

/** Options of {@link encryption}. */
export type EncryptionOptions = Pick<
  LinkOptions,
  'role' | 'maxDecompressedBytes' | 'handshakeTimeoutMs' | 'onRejected'
> &
  Required<Pick<LinkOptions, 'keys'>>;

/**
 * An AES-256-GCM envelope between two switchboards: a {@link link} with encryption only. Keys come
 * from configuration; nonces are per-direction counters (never random) under per-connection HKDF keys,
 * so replayed, reordered and tampered frames are rejected and the link closed.
 *
 * @example
 * ```ts
 * const keys = [{ id: '2026-11', secret: process.env.LINK_KEY! }];
 * const toPeer = pipe(connect('tcp://10.0.0.2:7000'), encryption({ role: 'dialer', keys }));
 * ```
 */
export function encryption(options: EncryptionOptions): TransportMiddleware {
  return link({ ...options, compression: false, batching: false });
}
