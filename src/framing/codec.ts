import type { JSONRPCMessage } from '../protocol/messages.js';
import type { DecoderCallbacks, DecoderOptions, FrameDecoder } from './frame-parser.js';
import { LengthPrefixedDecoder, encodeLengthPrefixed } from './length-prefix.js';
import { NdjsonDecoder, encodeNdjson } from './ndjson.js';

/** Name of a byte-stream framing. `ndjson` is the MCP standard; `length-prefixed` is an opt-in. */
export type FramingName = 'ndjson' | 'length-prefixed';

/** A framing: how to encode one message and how to make a decoder. */
export interface Codec {
  readonly name: FramingName;
  encode(message: JSONRPCMessage, maxMessageBytes: number): string | Buffer;
  createDecoder(callbacks: DecoderCallbacks, options: DecoderOptions): FrameDecoder;
}

/** The registry of framings, keyed by name. */
export const codecs: Readonly<Record<FramingName, Codec>> = {
  ndjson: {
    name: 'ndjson',
    encode: encodeNdjson,
    createDecoder: (callbacks, options) => new NdjsonDecoder(callbacks, options),
  },
  'length-prefixed': {
    name: 'length-prefixed',
    encode: encodeLengthPrefixed,
    createDecoder: (callbacks, options) => new LengthPrefixedDecoder(callbacks, options),
  },
};
