import type { JSONRPCMessage } from '../protocol/messages.js';
import type { RawEncoding } from './frame-message.js';
import type { DecoderCallbacks, DecoderOptions, FrameDecoder } from './frame-parser.js';
import { LengthPrefixedDecoder, encodeLengthPrefixed } from './length-prefix.js';
import { NdjsonDecoder, encodeNdjson } from './ndjson.js';

const NEWLINE = Buffer.from('\n');

/** Name of a byte-stream framing. `ndjson` is the MCP standard; `length-prefixed` is an opt-in. */
export type FramingName = 'ndjson' | 'length-prefixed';

/** A framing: how to encode one message and how to make a decoder. */
export interface Codec {
  readonly name: FramingName;
  encode(message: JSONRPCMessage, maxMessageBytes: number): string | Buffer;
  /**
   * Frames JSON text that is already bytes (a framed message sent on unchanged), without copying it.
   * `undefined` when this framing cannot carry the text as it is (NDJSON: a line break inside).
   */
  frameRaw(raw: RawEncoding): Buffer[] | undefined;
  createDecoder(callbacks: DecoderCallbacks, options: DecoderOptions): FrameDecoder;
}

/** The registry of framings, keyed by name. */
export const codecs: Readonly<Record<FramingName, Codec>> = {
  ndjson: {
    name: 'ndjson',
    encode: encodeNdjson,
    frameRaw: (raw) => (raw.singleLine ? [...raw.parts, NEWLINE] : undefined),
    createDecoder: (callbacks, options) => new NdjsonDecoder(callbacks, options),
  },
  'length-prefixed': {
    name: 'length-prefixed',
    encode: encodeLengthPrefixed,
    frameRaw: (raw) => {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(raw.byteLength, 0);
      return [header, ...raw.parts];
    },
    createDecoder: (callbacks, options) => new LengthPrefixedDecoder(callbacks, options),
  },
};
