import { SwitchboardError } from '../errors.js';
import { invalidMessageReason, isRequestId, type JSONRPCMessage } from '../protocol/messages.js';
import { recoverEnvelope } from './recover-envelope.js';

/** Default cap on one message: 32 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Bytes kept from the start and the end of an oversized frame to recover its id. */
export const ENVELOPE_PEEK_BYTES = 1024;

/** Where a decoder delivers what it decoded. */
export interface DecoderCallbacks {
  /** A valid JSON-RPC message. */
  onmessage: (message: JSONRPCMessage) => void;
  /**
   * A frame that was skipped (too large, not JSON, not JSON-RPC). `details.requestId` and
   * `details.messageKind` tell what it was when that could be recovered. The stream goes on.
   */
  onerror: (error: SwitchboardError) => void;
}

/** Options shared by all decoders. */
export interface DecoderOptions {
  /** Largest accepted message in bytes (default 32 MiB). Larger frames are skipped and reported. */
  maxMessageBytes?: number | undefined;
}

/** A streaming decoder of frames into JSON-RPC messages. */
export interface FrameDecoder {
  /** Feeds the next chunk of bytes. Never throws. */
  push(chunk: Buffer): void;
  /** The stream ended: flushes an unterminated final frame (NDJSON) or reports a truncated one. */
  end(): void;
  /** Bytes currently buffered for an incomplete frame (always ≤ the cap). */
  readonly bufferedBytes: number;
}

/**
 * Parses the text of one complete frame and hands the result to `callbacks`.
 * Empty (whitespace-only) frames are ignored.
 */
export function parseFrame(text: string, callbacks: DecoderCallbacks): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    if (text.trim() === '') return;
    const env = recoverEnvelope(text.slice(0, ENVELOPE_PEEK_BYTES), text.slice(-ENVELOPE_PEEK_BYTES));
    callbacks.onerror(
      new SwitchboardError('PARSE_ERROR', 'Parse error: frame is not valid JSON', {
        cause,
        details: { messageKind: env.kind, ...(env.id === undefined ? {} : { requestId: env.id }) },
      }),
    );
    return;
  }
  const reason = invalidMessageReason(value);
  if (reason === undefined) {
    callbacks.onmessage(value as JSONRPCMessage);
    return;
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  const id = (record as { id?: unknown }).id;
  const kind = 'method' in record ? (isRequestId(id) ? 'request' : 'notification') : 'unknown';
  callbacks.onerror(
    new SwitchboardError('INVALID_MESSAGE', `Invalid Request: ${reason}`, {
      details: { messageKind: kind, ...(isRequestId(id) ? { requestId: id } : {}) },
    }),
  );
}

/** Builds the error for a frame over the cap, from its first and last bytes. */
export function oversizedFrameError(head: Buffer, tail: Buffer, size: number, max: number): SwitchboardError {
  const env = recoverEnvelope(head.toString('utf8'), tail.toString('utf8'));
  return new SwitchboardError(
    'FRAME_TOO_LARGE',
    `Message of ${size} bytes exceeds the limit of ${max} bytes (maxMessageBytes); it was skipped`,
    {
      details: {
        messageKind: env.kind,
        size,
        limit: max,
        ...(env.id === undefined ? {} : { requestId: env.id }),
      },
    },
  );
}

/** Validates a `maxMessageBytes` option. */
export function resolveMaxMessageBytes(value: number | undefined): number {
  const max = value ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isInteger(max) || max < 64) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `maxMessageBytes must be an integer ≥ 64, got ${String(value)}`,
    );
  }
  return max;
}
