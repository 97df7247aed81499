import { link, type LinkOptions } from './link.js';
import type { TransportMiddleware } from './pipe.js';

/** Options of {@link batching}. */
export type BatchingOptions = Pick<LinkOptions, 'role' | 'maxBatchBytes' | 'handshakeTimeoutMs'>;

/**
 * Write coalescing between two switchboards: a {@link link} with batching only. The messages sent within
 * one microtask leave as one frame (flushed at the end of the microtask or at `maxBatchBytes`), in
 * order; the other side unpacks them in order. Plain stream transports (stdio, TCP, TLS, Unix) already
 * coalesce the *writes* of one tick on their own; a link batch is one *frame*, compressed and sealed as
 * a whole.
 *
 * @example
 * ```ts
 * const toPeer = pipe(connect('tcp://10.0.0.2:7000'), batching({ role: 'dialer' }));
 * ```
 */
export function batching(options: BatchingOptions): TransportMiddleware {
  return link({ ...options, compression: false });
}
