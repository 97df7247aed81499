import type { JSONRPCMessage } from '../protocol/messages.js';
import { SwitchboardError } from '../errors.js';
import type { BudgetLease } from './buffer-budget.js';
import { SCAN_ABOVE_BYTES } from './frame-message.js';
import type { RawFrameScope } from './raw-frame-mode.js';
import {
  budgetRefusalError,
  ENVELOPE_PEEK_BYTES,
  oversizedFrameError,
  parseFrame,
  parseFrameParts,
  reportFrameError,
  resolveMaxMessageBytes,
  type DecoderCallbacks,
  type DecoderOptions,
  type FrameDecoder,
} from './frame-parser.js';

const LF = 0x0a;
const CR = 0x0d;
const EMPTY: Buffer = Buffer.alloc(0);

function firstBytes(parts: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let left = n;
  for (const part of parts) {
    if (left <= 0) break;
    out.push(Buffer.from(part.subarray(0, left)));
    left -= part.length;
  }
  return out;
}

/**
 * A frame that is a small part of a large read gets bytes of its own, so a message kept for long (a
 * cached initialize request) does not pin the whole read; otherwise it stays where it lies (a read's
 * memory is sized to what was read, so that pins little).
 */
function ownBytes(segment: Buffer): Buffer {
  const backing = segment.buffer.byteLength;
  return backing > 64 * 1024 && segment.length * 4 < backing ? Buffer.from(segment) : segment;
}

function lastBytes(prev: Buffer, next: Buffer, n: number): Buffer {
  if (next.length >= n) return next.subarray(next.length - n);
  const joined = Buffer.concat([prev, next]);
  return joined.subarray(Math.max(0, joined.length - n));
}

/**
 * Newline-delimited JSON decoder (the MCP stdio framing, reused for TCP/TLS/Unix sockets).
 *
 * - O(n) in message size: chunks of an incomplete line are kept in a list and joined once, when the
 *   newline arrives (the SDK's `ReadBuffer` re-concatenates on every chunk, which is O(n²)).
 * - Splits on `\n` bytes and strips one trailing `\r`; since `\n` never occurs inside a multi-byte UTF-8
 *   sequence, a character split across chunks is decoded whole.
 * - The cap is checked *before* buffering: a line that would exceed `maxMessageBytes` is dropped, skipped
 *   to its end and reported once through `onerror` (with its id when recoverable); the stream goes on.
 * - With a `budget` lease, the bytes of the incomplete line are held in the shared budget; a line that
 *   does not fit is dropped the same way and reported as `BUFFER_BUDGET_EXCEEDED`.
 * - `push()` never throws (see {@link FrameDecoder.push}).
 *
 * @example
 * ```ts
 * const decoder = new NdjsonDecoder({ onmessage: (m) => console.error(m), onerror: (e) => console.error(e.code) });
 * decoder.push(Buffer.from('{"jsonrpc":"2.0","method":"ping","id":1}\n'));
 * ```
 */
export class NdjsonDecoder implements FrameDecoder {
  readonly #max: number;
  readonly #callbacks: DecoderCallbacks;
  readonly #budget: BudgetLease | undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  // When skipping an oversized line: its size so far and its first/last bytes (for id recovery).
  #skipping = false;
  // The line being skipped was already reported (refused by the budget): do not report it again.
  #skipReported = false;
  #skippedBytes = 0;
  #skipHead: Buffer = EMPTY;
  #skipTail: Buffer = EMPTY;
  #disposed = false;
  /** Deliver framed messages (see {@link DecoderOptions.rawFrames}). */
  rawFrames: boolean | RawFrameScope | undefined;

  /**
   * @param callbacks - where messages and per-frame errors go
   * @param options - `maxMessageBytes` (default 32 MiB), `budget` (default none), `rawFrames` (false)
   */
  constructor(callbacks: DecoderCallbacks, options: DecoderOptions = {}) {
    this.#callbacks = callbacks;
    this.#max = resolveMaxMessageBytes(options.maxMessageBytes);
    this.#budget = options.budget;
    this.rawFrames = options.rawFrames ?? false;
  }

  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  get inFrame(): boolean {
    return this.#skipping || this.#pendingBytes > 0;
  }

  push(chunk: Buffer): void {
    try {
      this.#push(chunk);
    } catch (cause) {
      // Unreachable by design (callbacks are guarded); a bug here must cost one frame, not the process.
      this.#drop();
      reportFrameError(
        this.#callbacks,
        new SwitchboardError('INTERNAL', 'NDJSON decoder failure; the partial frame was dropped', { cause }),
      );
    }
  }

  end(): void {
    if (this.#disposed) return;
    if (this.#skipping) {
      this.#finishSkipping();
      return;
    }
    if (this.#pendingBytes > 0) this.#completeLine(EMPTY);
  }

  dispose(): void {
    this.#disposed = true;
    this.#drop();
  }

  #drop(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#skipping = false;
    this.#skipReported = false;
    this.#skippedBytes = 0;
    this.#skipHead = EMPTY;
    this.#skipTail = EMPTY;
    this.#budget?.release();
  }

  #push(chunk: Buffer): void {
    let start = 0;
    // A callback may dispose of the decoder mid-chunk (its connection closed): stop there.
    while (start < chunk.length && !this.#disposed) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? chunk.length : nl;
      const segment = chunk.subarray(start, end);
      if (this.#skipping) {
        this.#skip(segment);
      } else if (this.#pendingBytes + segment.length > this.#max + 1) {
        // +1 tolerates the '\r' of a CRLF line whose content is exactly at the cap.
        this.#startSkipping(segment, false);
      } else if (nl !== -1) {
        this.#completeLine(segment);
      } else if (this.#budget && !this.#budget.resize(this.#pendingBytes + segment.length)) {
        this.#startSkipping(segment, true);
      } else {
        this.#pending.push(segment);
        this.#pendingBytes += segment.length;
      }
      if (nl === -1) return;
      if (this.#skipping) this.#finishSkipping();
      start = nl + 1;
    }
  }

  #completeLine(last: Buffer): void {
    if (
      this.rawFrames === true ||
      this.rawFrames === 'all' ||
      (this.rawFrames === 'large' && this.#pendingBytes + last.length > SCAN_ABOVE_BYTES)
    ) {
      this.#completeFrame(last);
      return;
    }
    let line: Buffer;
    if (this.#pending.length === 0) line = last;
    else {
      this.#pending.push(last);
      line = Buffer.concat(this.#pending, this.#pendingBytes + last.length);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#budget?.release();
    }
    let len = line.length;
    if (len > 0 && line[len - 1] === CR) len--;
    if (len > this.#max) {
      this.#reportOversized(line, len);
      return;
    }
    if (len === 0) return;
    parseFrame(line.toString('utf8', 0, len), this.#callbacks);
  }

  /** Raw-frame mode: the line's pieces are scanned where they lie, never joined (unless refused). */
  #completeFrame(last: Buffer): void {
    let parts = this.#pending;
    let len = this.#pendingBytes + last.length;
    if (parts.length === 0) parts = [ownBytes(last)];
    else {
      parts.push(last);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#budget?.release();
    }
    // One trailing '\r' belongs to the terminator (CRLF), as in the joined path.
    const tail = parts[parts.length - 1] as Buffer;
    if (tail.length > 0 && tail[tail.length - 1] === CR) {
      parts[parts.length - 1] = tail.subarray(0, tail.length - 1);
      len--;
    } else if (tail.length === 0 && len > 0) {
      const prev = parts[parts.length - 2] as Buffer;
      if (prev[prev.length - 1] === CR) {
        parts[parts.length - 2] = prev.subarray(0, prev.length - 1);
        len--;
      }
    }
    if (len > this.#max) {
      this.#reportOversized(Buffer.concat(parts, len), len);
      return;
    }
    if (len === 0) return;
    parseFrameParts(parts, len, this.#callbacks);
  }

  /** Reports a complete line of `len` bytes over the cap, with its id when its edges show it. */
  #reportOversized(line: Buffer, len: number): void {
    reportFrameError(
      this.#callbacks,
      oversizedFrameError(
        line.subarray(0, ENVELOPE_PEEK_BYTES),
        line.subarray(Math.max(0, len - ENVELOPE_PEEK_BYTES), len),
        len,
        this.#max,
      ),
    );
  }

  #startSkipping(segment: Buffer, refusedByBudget: boolean): void {
    const parts = [...this.#pending, segment];
    this.#skipHead = Buffer.concat(firstBytes(parts, ENVELOPE_PEEK_BYTES));
    let tail = EMPTY;
    for (const part of parts) tail = lastBytes(tail, part, ENVELOPE_PEEK_BYTES);
    this.#skipTail = Buffer.from(tail);
    this.#skippedBytes = this.#pendingBytes + segment.length;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#budget?.release();
    this.#skipping = true;
    this.#skipReported = refusedByBudget;
    if (refusedByBudget && this.#budget) {
      reportFrameError(this.#callbacks, budgetRefusalError(this.#budget, this.#skipHead));
    }
  }

  #skip(segment: Buffer): void {
    this.#skippedBytes += segment.length;
    this.#skipTail = Buffer.from(lastBytes(this.#skipTail, segment, ENVELOPE_PEEK_BYTES));
  }

  #finishSkipping(): void {
    const headBytes = this.#skipHead;
    let tail = this.#skipTail;
    let size = this.#skippedBytes;
    const reported = this.#skipReported;
    if (tail.length > 0 && tail[tail.length - 1] === CR) {
      tail = tail.subarray(0, tail.length - 1);
      size--;
    }
    this.#skipping = false;
    this.#skipReported = false;
    this.#skipHead = EMPTY;
    this.#skipTail = EMPTY;
    this.#skippedBytes = 0;
    if (!reported) reportFrameError(this.#callbacks, oversizedFrameError(headBytes, tail, size, this.#max));
  }
}

/**
 * Encodes one message as an NDJSON line. `JSON.stringify` never emits a raw newline (newlines inside
 * strings are escaped), so the line has no embedded newline.
 *
 * @param message - the message
 * @param maxMessageBytes - refuse to encode a message larger than this (default: no check)
 * @throws SwitchboardError `FRAME_TOO_LARGE` when the encoded message exceeds `maxMessageBytes`
 */
export function encodeNdjson(message: JSONRPCMessage, maxMessageBytes = Infinity): string {
  const text = JSON.stringify(message);
  // Cheap bound first: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > maxMessageBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxMessageBytes) {
      throw new SwitchboardError(
        'FRAME_TOO_LARGE',
        `Outgoing message of ${bytes} bytes exceeds the limit of ${maxMessageBytes} bytes (maxMessageBytes)`,
      );
    }
  }
  return text + '\n';
}
