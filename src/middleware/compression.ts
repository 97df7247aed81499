import { link, type LinkOptions } from './link.js';
import type { TransportMiddleware } from './pipe.js';

export type { LinkCodecName } from './link.js';
export { availableCodecs } from './link.js';

/** Options of {@link compression}. */
export type CompressionOptions = Pick<
  LinkOptions,
  'role' | 'compression' | 'compressMinBytes' | 'maxDecompressedBytes' | 'handshakeTimeoutMs' | 'onRejected'
>;

/**
 * Per-message compression between two switchboards: a {@link link} with compression only (negotiated
 * codec — lz4, brotli or gzip — with a decompressed-size cap). For WebSocket links prefer the
 * transport's own permessage-deflate; for HTTP, `Content-Encoding` at the HTTP edge.
 *
 * @example
 * ```ts
 * const toPeer = pipe(connect('unix:///run/peer.sock'), compression({ role: 'dialer', compression: ['lz4'] }));
 * ```
 */
export function compression(options: CompressionOptions): TransportMiddleware {
  return link({ ...options, batching: false });
}
