import { SwitchboardError } from '../errors.js';
import { availableCodecs, type LinkCodecName } from './link/link-codecs.js';
import { parseLinkKeys, type LinkKey, type LinkKeyInput } from './link/link-keys.js';
import { LinkTransport, defaultCodecs, type LinkSettings } from './link/link-transport.js';
import type { TransportMiddleware } from './pipe.js';

export type { LinkCodecName } from './link/link-codecs.js';
export type { LinkKey, LinkKeyInput } from './link/link-keys.js';
export { availableCodecs } from './link/link-codecs.js';
export { parseLinkKeys } from './link/link-keys.js';
export { LinkTransport } from './link/link-transport.js';

/** Options of {@link link}. */
export interface LinkOptions {
  /** `dialer`: this side connected (sends the hello). `acceptor`: this side accepted the connection. */
  role: 'dialer' | 'acceptor';
  /**
   * Compression codecs, in order of preference (default `['lz4', 'br', 'gzip']`, lz4 only where its
   * native binding loads); `false` or `[]` turns compression off. The acceptor picks the first of its
   * list that the dialler offers. (No zstd: Node 20's zlib has none.)
   */
  compression?: readonly LinkCodecName[] | false | undefined;
  /** Messages (or batches) smaller than this are not compressed, in bytes (default 1024). */
  compressMinBytes?: number | undefined;
  /**
   * Coalesce the messages sent within one microtask into one frame, in order (default true). A batch is
   * flushed at the end of the microtask or once it holds `maxBatchBytes`.
   */
  batching?: boolean | undefined;
  /** Flush a batch once it holds this many bytes (default 256 KiB). */
  maxBatchBytes?: number | undefined;
  /**
   * AES-256-GCM keys: when given, every frame is sealed and a peer without the link is refused. The
   * first key seals what this side sends; all are accepted (rotate by adding the new key everywhere,
   * then moving it first, then removing the old one).
   */
  keys?: readonly (LinkKey | LinkKeyInput)[] | undefined;
  /**
   * Acceptor only: refuse peers that do not speak the link protocol (default: true with `keys`, else
   * false — a plain MCP client is then served as usual).
   */
  requireLink?: boolean | undefined;
  /** Largest decompressed frame, in bytes (default 32 MiB): a bigger one is a decompression bomb. */
  maxDecompressedBytes?: number | undefined;
  /** Dialler: how long to wait for the acceptor's answer to the hello, in ms (default 10,000). */
  handshakeTimeoutMs?: number | undefined;
  /** Called with the reason whenever a frame is rejected (`tampered`, `replayed`, `decode`, …). */
  onRejected?: ((reason: string) => void) | undefined;
}

/**
 * A switchboard-to-switchboard link over any transport (meant for TCP, TLS and Unix sockets between two
 * switchboards): a handshake negotiates a per-message compression codec (gzip, brotli, lz4) with a
 * decompressed-size cap, write batching, and optionally an AES-256-GCM envelope with per-direction
 * counter nonces that rejects replayed, reordered and tampered frames. Both ends must use it: the side
 * that connects as `dialer`, the side that accepts as `acceptor`.
 *
 * @param options - role, codecs, batching, keys
 * @throws SwitchboardError `INVALID_OPTIONS` for a bad key or an unknown codec
 * @example
 * ```ts
 * const keys = [{ id: 'k1', secret: process.env.LINK_KEY! }];
 * // switchboard A, towards B:
 * const toB = pipe(connect('tcp://10.0.0.2:7000'), link({ role: 'dialer', keys }));
 * // switchboard B, for each accepted connection:
 * proxy.accept(pipe(transport, link({ role: 'acceptor', keys })));
 * ```
 */
export function link(options: LinkOptions): TransportMiddleware {
  const settings = resolveLinkSettings(options);
  return (inner) => new LinkTransport(inner, settings);
}

function resolveLinkSettings(options: LinkOptions): LinkSettings {
  const available = availableCodecs();
  const codecs = options.compression === false ? [] : [...(options.compression ?? defaultCodecs())];
  for (const c of codecs) {
    if (!available.includes(c)) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `link compression "${c}" is not available (have ${available.join(', ')})` +
          (c === 'lz4'
            ? ': lz4 needs the native module lz4-napi, which single-file executables leave out and some platforms lack'
            : ''),
      );
    }
  }
  const keys = (options.keys ?? []).map((k) =>
    Buffer.isBuffer(k.secret) ? (k as LinkKey) : (parseLinkKeys([k as LinkKeyInput])[0] as LinkKey),
  );
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new SwitchboardError('INVALID_OPTIONS', 'link keys: every id must be unique');
  }
  return {
    role: options.role,
    codecs: codecs.filter((c) => c !== 'identity'),
    compressMinBytes: options.compressMinBytes ?? 1024,
    batching: options.batching ?? true,
    maxBatchBytes: options.maxBatchBytes ?? 256 * 1024,
    keys,
    requireLink: options.requireLink ?? keys.length > 0,
    maxDecompressedBytes: options.maxDecompressedBytes ?? 32 * 1024 * 1024,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    onRejected: options.onRejected,
  };
}
