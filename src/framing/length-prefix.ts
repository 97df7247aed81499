import type { JSONRPCMessage } from '../protocol/messages.js';
import { SwitchboardError } from '../errors.js';
import type { BudgetLease } from './buffer-budget.js';
import {
  budgetRefusalError,
  ENVELOPE_PEEK_BYTES,
  oversizedFrameError,
  parseFrame,
  reportFrameError,
  resolveMaxMessageBytes,
  type DecoderCallbacks,
  type DecoderOptions,
  type FrameDecoder,
} from './frame-parser.js';

const HEADER_BYTES = 4;
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Length-prefixed decoder: each frame is a 4-byte big-endian unsigned length followed by that many bytes
 * of UTF-8 JSON. An opt-in codec for private links between two switchboards; MCP peers speak NDJSON.
 *
 * The declared length is checked against `maxMessageBytes` *before* anything is allocated; an oversized
 * frame is skipped exactly (its length is known) and reported once, and the stream goes on. With a
 * `budget` lease, the bytes of the incomplete frame are held in the shared budget; a frame that does not
 * fit is skipped the same way and reported as `BUFFER_BUDGET_EXCEEDED`. `push()` never throws.
 */
export class LengthPrefixedDecoder implements FrameDecoder {
  readonly #max: number;
  readonly #callbacks: DecoderCallbacks;
  readonly #budget: BudgetLease | undefined;
  #header = Buffer.alloc(HEADER_BYTES);
  #headerFill = 0;
  /** Length of the frame being read, or -1 while reading a header. */
  #frameLength = -1;
  #parts: Buffer[] = [];
  #received = 0;
  #skipping = false;
  // The frame being skipped was refused by the budget and already reported.
  #skipReported = false;
  #skipHead = EMPTY;
  #skipTail = EMPTY;
  #disposed = false;

  /**
   * @param callbacks - where messages and per-frame errors go
   * @param options - `maxMessageBytes` (default 32 MiB), `budget` (default none)
   */
  constructor(callbacks: DecoderCallbacks, options: DecoderOptions = {}) {
    this.#callbacks = callbacks;
    this.#max = resolveMaxMessageBytes(options.maxMessageBytes);
    this.#budget = options.budget;
  }

  get bufferedBytes(): number {
    return this.#skipping ? 0 : this.#received;
  }

  get inFrame(): boolean {
    return this.#frameLength !== -1 || this.#headerFill > 0;
  }

  push(chunk: Buffer): void {
    try {
      this.#push(chunk);
    } catch (cause) {
      // Unreachable by design (callbacks are guarded); a bug here must cost the stream's sync, not the
      // process. Length-prefixed framing cannot resynchronise, so report it and start afresh.
      this.#reset();
      reportFrameError(
        this.#callbacks,
        new SwitchboardError('INTERNAL', 'Length-prefixed decoder failure; the frame was dropped', { cause }),
      );
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#reset();
  }

  #push(chunk: Buffer): void {
    let offset = 0;
    // A callback may dispose of the decoder mid-chunk (its connection closed): stop there.
    while (offset < chunk.length && !this.#disposed) {
      if (this.#frameLength === -1) {
        const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - offset);
        chunk.copy(this.#header, this.#headerFill, offset, offset + take);
        this.#headerFill += take;
        offset += take;
        if (this.#headerFill < HEADER_BYTES) return;
        this.#frameLength = this.#header.readUInt32BE(0);
        this.#headerFill = 0;
        this.#skipping = this.#frameLength > this.#max;
        if (this.#frameLength === 0) this.#finishFrame();
        continue;
      }
      const take = Math.min(this.#frameLength - this.#received, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      offset += take;
      // Only a frame that stays incomplete is held across reads, and so in the budget.
      const incomplete = this.#received + take < this.#frameLength;
      if (incomplete && !this.#skipping && this.#budget && !this.#budget.resize(this.#received + take)) {
        this.#refuse(piece);
      }
      if (this.#skipping) this.#skipPiece(piece);
      else this.#parts.push(piece);
      this.#received += take;
      if (this.#received === this.#frameLength) this.#finishFrame();
    }
  }

  end(): void {
    if (this.#disposed || (this.#frameLength === -1 && this.#headerFill === 0)) return;
    reportFrameError(
      this.#callbacks,
      new SwitchboardError('PARSE_ERROR', 'Stream ended inside a length-prefixed frame', {
        details: { messageKind: 'unknown' },
      }),
    );
    this.#reset();
  }

  /** The budget refused to hold more of this frame: skip the rest of it, reported now. */
  #refuse(piece: Buffer): void {
    const head = Buffer.concat([...this.#parts, piece.subarray(0, ENVELOPE_PEEK_BYTES)]).subarray(
      0,
      ENVELOPE_PEEK_BYTES,
    );
    this.#parts = [];
    this.#budget?.release();
    this.#skipping = true;
    this.#skipReported = true;
    if (this.#budget) reportFrameError(this.#callbacks, budgetRefusalError(this.#budget, head));
  }

  #skipPiece(piece: Buffer): void {
    if (this.#skipHead.length < ENVELOPE_PEEK_BYTES) {
      this.#skipHead = Buffer.concat([
        this.#skipHead,
        piece.subarray(0, ENVELOPE_PEEK_BYTES - this.#skipHead.length),
      ]);
    }
    const joined = piece.length >= ENVELOPE_PEEK_BYTES ? piece : Buffer.concat([this.#skipTail, piece]);
    this.#skipTail = Buffer.from(joined.subarray(Math.max(0, joined.length - ENVELOPE_PEEK_BYTES)));
  }

  #finishFrame(): void {
    if (this.#skipping) {
      if (!this.#skipReported) {
        reportFrameError(
          this.#callbacks,
          oversizedFrameError(this.#skipHead, this.#skipTail, this.#frameLength, this.#max),
        );
      }
    } else {
      const body =
        this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.#received);
      parseFrame(body.toString('utf8'), this.#callbacks);
    }
    this.#reset();
  }

  #reset(): void {
    this.#frameLength = -1;
    this.#headerFill = 0;
    this.#parts = [];
    this.#received = 0;
    this.#skipping = false;
    this.#skipReported = false;
    this.#skipHead = EMPTY;
    this.#skipTail = EMPTY;
    this.#budget?.release();
  }
}

/**
 * Encodes one message as a length-prefixed frame.
 *
 * @throws SwitchboardError `FRAME_TOO_LARGE` when the body exceeds `maxMessageBytes` or 4 GiB − 1
 */
export function encodeLengthPrefixed(message: JSONRPCMessage, maxMessageBytes = 0xffffffff): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > Math.min(maxMessageBytes, 0xffffffff)) {
    throw new SwitchboardError(
      'FRAME_TOO_LARGE',
      `Outgoing message of ${body.length} bytes exceeds the limit of ${maxMessageBytes} bytes (maxMessageBytes)`,
    );
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}
