import { createParser, type EventSourceParser } from 'eventsource-parser';
import { SwitchboardError, toSwitchboardError } from '../../../errors.js';

/** One Server-Sent Event. `event` is `undefined` when the server sent no `event:` field. */
export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/** Where a {@link SseDecoder} delivers what it parsed. */
export interface SseCallbacks {
  onEvent: (event: SseEvent) => void;
  /** The server's `retry:` field (milliseconds). */
  onRetry?: ((ms: number) => void) | undefined;
  /** An event over the size limit was skipped; the stream goes on. */
  onOversize?: ((error: SwitchboardError) => void) | undefined;
  /** `onEvent` threw while handling one event (reported as `INTERNAL`); the stream goes on. */
  onFault?: ((error: SwitchboardError) => void) | undefined;
}

/**
 * A bounded, streaming SSE decoder over `eventsource-parser`: bytes in (any chunking, multi-byte UTF-8
 * split anywhere), events out.
 *
 * An event whose data exceeds `maxEventChars` (UTF-16 code units, which never exceed its UTF-8 size) is
 * skipped and reported through `onOversize`; decoding resumes at the next event boundary, so one huge
 * event never ends the stream. Memory stays within about `maxEventChars` plus one network chunk.
 */
export class SseDecoder {
  readonly #callbacks: SseCallbacks;
  readonly #max: number;
  readonly #utf8 = new TextDecoder('utf-8');
  readonly #parser: EventSourceParser;
  /** Skipping the tail of an oversized event until the next blank line. */
  #skipping = false;
  #eolRun = 0;
  #lastWasCr = false;
  #lastChar = '';

  /**
   * @param callbacks - event sinks
   * @param maxEventChars - largest event data accepted (default 32 Mi code units)
   */
  constructor(callbacks: SseCallbacks, maxEventChars = 32 * 1024 * 1024) {
    this.#callbacks = callbacks;
    this.#max = maxEventChars;
    this.#parser = createParser({
      maxBufferSize: maxEventChars,
      onEvent: (event) => {
        // The buffer cap is checked after each feed(), so an oversized event that arrives complete within
        // one chunk is caught here instead.
        if (event.data.length > this.#max) {
          this.#oversize();
          return;
        }
        this.#callbacks.onEvent({ id: event.id, event: event.event, data: event.data });
      },
      onRetry: (ms) => this.#callbacks.onRetry?.(ms),
      onError: (error) => {
        if (error.type !== 'max-buffer-size-exceeded') return; // unknown fields are ignored, as browsers do
        this.#oversize();
        this.#parser.reset();
        this.#enterSkipping();
      },
    });
  }

  /** Feeds the next chunk of bytes. */
  push(chunk: Uint8Array): void {
    const text = this.#utf8.decode(chunk, { stream: true });
    if (text.length > 0) this.#feed(text);
  }

  /** The stream ended. An unterminated last event is dropped, as the SSE standard requires. */
  end(): void {
    const text = this.#utf8.decode();
    if (text.length > 0) this.#feed(text);
    // A trailing CR may be the first half of a CRLF, so the parser holds it back; at the end of the
    // stream it is a line break for sure.
    if (this.#lastChar === '\r' && !this.#skipping) this.#feed('\n');
  }

  #feed(text: string): void {
    let input = text;
    if (this.#skipping) {
      const resumeAt = this.#findEventBoundary(input);
      if (resumeAt === -1) return;
      this.#skipping = false;
      input = input.slice(resumeAt);
      if (input.length === 0) return;
    }
    this.#lastChar = input[input.length - 1] as string;
    this.#parser.feed(input);
  }

  #oversize(): void {
    this.#callbacks.onOversize?.(
      new SwitchboardError(
        'FRAME_TOO_LARGE',
        `SSE event exceeds the limit of ${this.#max} characters (maxMessageBytes); it was skipped`,
        { details: { limit: this.#max, messageKind: 'unknown' } },
      ),
    );
  }

  #enterSkipping(): void {
    this.#skipping = true;
    // The oversized event may have stopped right after a line break: count it towards the blank line.
    this.#lastWasCr = this.#lastChar === '\r';
    this.#eolRun = this.#lastChar === '\n' || this.#lastChar === '\r' ? 1 : 0;
  }

  /** Index just after the next blank line (two line breaks in a row), or -1. CRLF counts as one break. */
  #findEventBoundary(text: string): number {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0d) {
        this.#eolRun++;
        this.#lastWasCr = true;
      } else if (c === 0x0a) {
        if (!this.#lastWasCr) this.#eolRun++;
        this.#lastWasCr = false;
      } else {
        this.#eolRun = 0;
        this.#lastWasCr = false;
      }
      if (this.#eolRun >= 2) return i + 1;
    }
    return -1;
  }
}

/**
 * Reads an SSE body to its end through a {@link SseDecoder}.
 *
 * Events that arrived in one network chunk are delivered one per macrotask turn, as a stream reader
 * would deliver them: the SDKs dispatch notifications asynchronously, so a progress notification and
 * the response right behind it must not reach them in the same tick (the progress would be dropped as
 * "after the response"). Reading pauses meanwhile, which is also the stream's backpressure.
 *
 * @returns when the body ended normally
 * @throws whatever the body throws (connection reset, abort, body timeout)
 */
export async function readSseStream(
  body: AsyncIterable<Uint8Array>,
  callbacks: SseCallbacks,
  maxEventChars?: number,
): Promise<void> {
  const pending: SseEvent[] = [];
  const decoder = new SseDecoder({ ...callbacks, onEvent: (event) => pending.push(event) }, maxEventChars);
  const handle = (event: SseEvent): void => {
    try {
      callbacks.onEvent(event);
    } catch (cause) {
      const error = toSwitchboardError(cause);
      try {
        callbacks.onFault?.(
          new SwitchboardError('INTERNAL', `An SSE event handler threw: ${error.message}`, { cause }),
        );
      } catch {
        // A throwing fault handler must not end the stream either.
      }
    }
  };
  const drain = async (): Promise<void> => {
    for (let i = 0; i < pending.length; i++) {
      if (i > 0) await yieldTurn();
      handle(pending[i] as SseEvent);
    }
    pending.length = 0;
  };
  for await (const chunk of body) {
    decoder.push(chunk);
    if (pending.length > 0) await drain();
  }
  decoder.end();
  await drain();
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
