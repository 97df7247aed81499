// Subpath `mcp-switchboard/framing`: the byte-stream codecs.
export { NdjsonDecoder, encodeNdjson } from './ndjson.js';
export { LengthPrefixedDecoder, encodeLengthPrefixed } from './length-prefix.js';
export { codecs } from './codec.js';
export type { Codec, FramingName } from './codec.js';
export { DEFAULT_MAX_MESSAGE_BYTES, parseFrame } from './frame-parser.js';
export type { DecoderCallbacks, DecoderOptions, FrameDecoder } from './frame-parser.js';
export { recoverEnvelope } from './recover-envelope.js';
export type { RecoveredEnvelope } from './recover-envelope.js';
export {
  BufferBudget,
  BudgetLease,
  DEFAULT_MAX_BUFFERED_BYTES,
  processBufferBudget,
} from './buffer-budget.js';
