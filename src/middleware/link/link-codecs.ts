import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { SwitchboardError } from '../../errors.js';

/** Names of the per-message compression codecs of a switchboard link. */
export type LinkCodecName = 'identity' | 'gzip' | 'br' | 'lz4';

/** One compression codec. Synchronous: frames stay in order and small frames stay cheap. */
export interface LinkCodec {
  readonly name: LinkCodecName;
  /** One byte naming the codec inside sealed frames. */
  readonly id: number;
  compress(data: Buffer): Buffer;
  /**
   * @param maxBytes - refuse output larger than this (a decompression bomb)
   * @throws SwitchboardError `LINK_FAILED` when the data is corrupt or inflates beyond `maxBytes`
   */
  decompress(data: Buffer, maxBytes: number): Buffer;
}

const tooLarge = (maxBytes: number): SwitchboardError =>
  new SwitchboardError('LINK_FAILED', `Link frame inflates beyond ${maxBytes} bytes; rejected`);

function zlibDecompress(run: () => Buffer, maxBytes: number): Buffer {
  try {
    return run();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new SwitchboardError('LINK_FAILED', 'Link frame does not decompress', { cause: error });
  }
}

interface Lz4 {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Buffer): Buffer;
}

let lz4: Lz4 | null | undefined;
/** lz4-napi ships prebuilt binaries per platform; where none loads, lz4 is simply not offered. */
function loadLz4(): Lz4 | null {
  if (lz4 === undefined) {
    try {
      lz4 = createRequire(import.meta.url)('lz4-napi') as Lz4;
    } catch {
      lz4 = null;
    }
  }
  return lz4;
}

const identity: LinkCodec = {
  name: 'identity',
  id: 0,
  compress: (data) => data,
  decompress: (data, maxBytes) => {
    if (data.length > maxBytes) throw tooLarge(maxBytes);
    return data;
  },
};

const gzip: LinkCodec = {
  name: 'gzip',
  id: 1,
  compress: (data) => zlib.gzipSync(data),
  decompress: (data, maxBytes) =>
    zlibDecompress(() => zlib.gunzipSync(data, { maxOutputLength: maxBytes }), maxBytes),
};

const brotli: LinkCodec = {
  name: 'br',
  id: 2,
  // Quality 4: most of brotli's gain at a fraction of the default (11)'s cost, fit for live traffic.
  compress: (data) =>
    zlib.brotliCompressSync(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  decompress: (data, maxBytes) =>
    zlibDecompress(() => zlib.brotliDecompressSync(data, { maxOutputLength: maxBytes }), maxBytes),
};

const lz4Codec: LinkCodec = {
  name: 'lz4',
  id: 3,
  compress: (data) => (loadLz4() as Lz4).compressSync(data),
  decompress: (data, maxBytes) => {
    const lib = loadLz4();
    if (lib === null) throw new SwitchboardError('LINK_FAILED', 'lz4 is not available on this platform');
    // lz4-napi prefixes the block with the decompressed size (u32, little endian): check it first.
    if (data.length < 4) throw new SwitchboardError('LINK_FAILED', 'Link frame does not decompress');
    if (data.readUInt32LE(0) > maxBytes) throw tooLarge(maxBytes);
    try {
      return lib.uncompressSync(data);
    } catch (error) {
      throw new SwitchboardError('LINK_FAILED', 'Link frame does not decompress', { cause: error });
    }
  },
};

const ALL: readonly LinkCodec[] = [identity, gzip, brotli, lz4Codec];

/** Codecs this process can use, by name (lz4 only where its native binding loads). */
export function availableCodecs(): LinkCodecName[] {
  return ALL.filter((c) => c.name !== 'lz4' || loadLz4() !== null).map((c) => c.name);
}

/** The codec of a name or id. */
export function codecOf(key: string | number): LinkCodec | undefined {
  return ALL.find((c) => c.name === key || c.id === key);
}
