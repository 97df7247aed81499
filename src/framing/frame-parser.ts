import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { invalidMessageReason, isRequestId, type JSONRPCMessage } from '../protocol/messages.js';
import { budgetExceededError, type BudgetLease } from './buffer-budget.js';
import { decodeFramedMessage } from './frame-message.js';
import type { RawFrameScope } from './raw-frame-mode.js';
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
   * A frame that was skipped (too large, not JSON, not JSON-RPC, or refused by the shared buffer budget:
   * `BUFFER_BUDGET_EXCEEDED`). `details.requestId` and `details.messageKind` tell what it was when that
   * could be recovered. The stream goes on.
   */
  onerror: (error: SwitchboardError) => void;
}

/** Options shared by all decoders. */
export interface DecoderOptions {
  /** Largest accepted message in bytes (default 32 MiB). Larger frames are skipped and reported. */
  maxMessageBytes?: number | undefined;
  /**
   * This connection's share of a process-wide `BufferBudget`: the bytes of an incomplete frame are
   * held in it. A frame that does not fit is dropped and reported as `BUFFER_BUDGET_EXCEEDED`.
   * Default: no shared bound (only `maxMessageBytes`).
   */
  budget?: BudgetLease | undefined;
  /**
   * Deliver framed messages (see `frame-message.ts`): scanned instead of parsed, deep members parsed on
   * first read, the original bytes kept for a transport that sends them on unchanged. Our relay turns
   * this on; library users get plain parsed messages (default false). `true` is `all`; `large`: only
   * frames above `SCAN_ABOVE_BYTES`, smaller ones are parsed as without it.
   */
  rawFrames?: boolean | RawFrameScope | undefined;
}

/** A streaming decoder of frames into JSON-RPC messages. */
export interface FrameDecoder {
  /**
   * Feeds the next chunk of bytes. Never throws: malformed frames and exceptions thrown by the
   * callbacks are reported through `onerror` (a throwing `onerror` is ignored), and decoding goes on.
   */
  push(chunk: Buffer): void;
  /** The stream ended: flushes an unterminated final frame (NDJSON) or reports a truncated one. */
  end(): void;
  /** Drops what is buffered and returns its budget share; later `push()`/`end()` do nothing. Idempotent. */
  dispose(): void;
  /** Bytes currently buffered for an incomplete frame (always ≤ the cap). */
  readonly bufferedBytes: number;
  /** `true` while a frame has begun and not ended (also while an oversized one is being skipped). */
  readonly inFrame: boolean;
  /** Deliver framed messages from now on (see {@link DecoderOptions.rawFrames}). */
  rawFrames?: boolean | RawFrameScope | undefined;
}

/** Hands `error` to `onerror`; a throwing error handler is ignored (it must not break the reader). */
export function reportFrameError(callbacks: DecoderCallbacks, error: SwitchboardError): void {
  try {
    callbacks.onerror(error);
  } catch {
    // Nothing left to tell: the reader goes on.
  }
}

function deliver(callbacks: DecoderCallbacks, message: JSONRPCMessage): void {
  try {
    callbacks.onmessage(message);
  } catch (cause) {
    const error = toSwitchboardError(cause);
    reportFrameError(
      callbacks,
      new SwitchboardError('INTERNAL', `A message handler threw: ${error.message}`, { cause }),
    );
  }
}

/**
 * Parses the text of one complete frame and hands the result to `callbacks`.
 * Empty (whitespace-only) frames are ignored. Never throws (see {@link FrameDecoder.push}).
 */
export function parseFrame(text: string, callbacks: DecoderCallbacks): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    if (text.trim() === '') return;
    const env = recoverEnvelope(text.slice(0, ENVELOPE_PEEK_BYTES), text.slice(-ENVELOPE_PEEK_BYTES));
    reportFrameError(
      callbacks,
      new SwitchboardError('PARSE_ERROR', 'Parse error: frame is not valid JSON', {
        cause,
        details: { messageKind: env.kind, ...(env.id === undefined ? {} : { requestId: env.id }) },
      }),
    );
    return;
  }
  const reason = invalidMessageReason(value);
  if (reason === undefined) {
    deliver(callbacks, value as JSONRPCMessage);
    return;
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  const id = (record as { id?: unknown }).id;
  // A method with an id that is present but not an id is still a request: it is answered, without an id.
  const kind = 'method' in record ? (id === undefined ? 'notification' : 'request') : 'unknown';
  reportFrameError(
    callbacks,
    new SwitchboardError('INVALID_MESSAGE', `Invalid Request: ${reason}`, {
      details: { messageKind: kind, ...(isRequestId(id) ? { requestId: id } : {}) },
    }),
  );
}

/**
 * Raw-frame mode: scans the bytes of one complete frame into a framed message and delivers it; a frame
 * the scanner does not vouch for (invalid, or a shape it leaves to `JSON.parse`) takes
 * {@link parseFrame}, which gives exactly the answers it always gave. Never throws.
 *
 * @param parts - the frame's bytes in order (without the line terminator); kept by the message
 */
export function parseFrameParts(
  parts: readonly Buffer[],
  byteLength: number,
  callbacks: DecoderCallbacks,
): void {
  let message: JSONRPCMessage | undefined;
  try {
    message = decodeFramedMessage(parts);
  } catch {
    message = undefined;
  }
  if (message !== undefined) {
    deliver(callbacks, message);
    return;
  }
  const whole = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, byteLength);
  parseFrame(whole.toString('utf8'), callbacks);
}

/** The error for a frame the shared budget refused, with what its first bytes tell. */
export function budgetRefusalError(lease: BudgetLease, head: Buffer): SwitchboardError {
  const env = recoverEnvelope(head.toString('utf8'), '');
  return budgetExceededError(lease.budget, {
    messageKind: env.kind,
    ...(env.id === undefined ? {} : { requestId: env.id }),
  });
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
