import { createWriteStream, type WriteStream } from 'node:fs';
import type { JSONRPCMessage } from '../../protocol/messages.js';
import { recordingHeader, type FrameDirection } from './recording.js';

/** Options of {@link TapRecorder}. */
export interface TapRecorderOptions {
  /**
   * Bytes that may wait for the disk before frames are dropped (default 16 MiB): recording never slows
   * the traffic down nor grows memory without bound. Dropped frames are counted in {@link dropped}.
   */
  maxBufferedBytes?: number | undefined;
  /** Reports write errors and the first dropped frame of a burst. */
  onError?: ((error: Error) => void) | undefined;
}

/**
 * Writes frames to a JSONL file, one `{"time","session","direction","message"}` object per line after a
 * header line, shared by every session the tap middleware wraps.
 *
 * @example
 * ```ts
 * const recorder = TapRecorder.open('traffic.jsonl');
 * const frontend = pipe(transport, tap({ recorder }));
 * // …
 * await recorder.close();
 * ```
 */
export class TapRecorder {
  readonly #stream: WriteStream;
  readonly #maxBuffered: number;
  readonly #onError: ((error: Error) => void) | undefined;
  #dropped = 0;
  #dropping = false;
  #closed = false;

  private constructor(stream: WriteStream, options: TapRecorderOptions) {
    this.#stream = stream;
    this.#maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.#onError = options.onError;
    stream.on('error', (error) => this.#onError?.(error));
    stream.write(`${JSON.stringify(recordingHeader())}\n`);
  }

  /**
   * Opens (truncates) `path` for recording.
   *
   * @param path - the JSONL file
   */
  static open(path: string, options: TapRecorderOptions = {}): TapRecorder {
    return new TapRecorder(createWriteStream(path, { flags: 'w', mode: 0o600 }), options);
  }

  /** Frames dropped because the disk could not keep up. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records one frame (never blocks; drops it when too much is waiting for the disk). */
  record(session: string, direction: FrameDirection, message: JSONRPCMessage): void {
    if (this.#closed) return;
    if (this.#stream.writableLength > this.#maxBuffered) {
      this.#dropped++;
      if (!this.#dropping) {
        this.#dropping = true;
        this.#onError?.(
          new Error(`tap: the disk is not keeping up; dropping frames (${this.#dropped} so far)`),
        );
      }
      return;
    }
    this.#dropping = false;
    const time = new Date().toISOString();
    this.#stream.write(`${JSON.stringify({ time, session, direction, message })}\n`);
  }

  /** Flushes and closes the file. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#stream.end(() => resolve()));
  }
}
