import type { Writable } from 'node:stream';
import { SwitchboardError } from '../errors.js';
import { TurnBatch } from './turn-batch.js';

/** Default bound on bytes waiting behind a full stream (beyond the stream's own highWaterMark). */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** A batch this large is written at once instead of at the end of the loop turn. */
const FLUSH_BYTES = 64 * 1024;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function combine(parts: (string | Buffer)[]): string | Buffer {
  if (parts.length === 1) return parts[0] as string | Buffer;
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/**
 * Ordered, batched writes with backpressure onto a Node `Writable`.
 *
 * Messages written during one turn of the event loop are joined and written once, in that turn's check
 * phase (`setImmediate`; at once past 64 KiB): one `write()` and one system call for many small messages
 * — also for messages that arrived on different sockets in the same poll — and no reordering. While the
 * turns carry a single message each (one request in flight: nothing to batch), the first message of a
 * turn is written at once instead, which spares it the wait for the end of the turn. `write()`
 * resolves when the stream accepted its batch (`write()` returned true) or, if the stream was full, when
 * it drained. While the stream is full, later messages wait in order, bounded by `maxQueuedBytes` (one
 * batch is always admitted).
 */
export class WriteQueue {
  readonly #stream: Writable;
  readonly #maxQueuedBytes: number;
  /** Messages not yet handed to the stream, and the promise they share. */
  #pending: (string | Buffer)[] = [];
  #pendingBytes = 0;
  #pendingDone: Deferred | undefined;
  /** The batch the stream took while full: it resolves on 'drain'. */
  #blocked: Deferred | undefined;
  readonly #turn = new TurnBatch(() => this.#flush());
  #failure: Error | undefined;
  readonly #onPressure: ((blocked: boolean) => void) | undefined;

  /**
   * @param stream - the destination
   * @param maxQueuedBytes - bound on waiting bytes (default 64 MiB)
   * @param onPressure - told `true` when the stream refused more (it is full) and `false` once it drained
   */
  constructor(
    stream: Writable,
    maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
    onPressure?: (blocked: boolean) => void,
  ) {
    this.#stream = stream;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#onPressure = onPressure;
    stream.on('drain', this.#onDrain);
  }

  /** `true` while the stream is full and later writes wait for it to drain. */
  get blocked(): boolean {
    return this.#blocked !== undefined;
  }

  /** Bytes waiting in this queue, not yet handed to the stream (characters, for strings). */
  get queuedBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Writes `data` after everything written before it.
   * @throws SwitchboardError `TRANSPORT_CLOSED` after {@link fail}; `WRITE_FAILED` when the queue is full
   */
  write(data: string | Buffer | readonly Buffer[]): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    // Characters for strings: a cheap approximation of bytes that is enough for a bound.
    let bytes = 0;
    if (typeof data === 'string' || Buffer.isBuffer(data)) bytes = data.length;
    else for (const part of data) bytes += part.length;
    if (this.#blocked && this.#pending.length > 0 && this.#pendingBytes + bytes > this.#maxQueuedBytes) {
      return Promise.reject(
        new SwitchboardError(
          'WRITE_FAILED',
          `Send queue full: ${this.#pendingBytes} bytes are waiting for a slow peer (limit ${this.#maxQueuedBytes})`,
        ),
      );
    }
    if (typeof data === 'string' || Buffer.isBuffer(data)) this.#pending.push(data);
    else for (const part of data) this.#pending.push(part);
    this.#pendingBytes += bytes;
    const done = (this.#pendingDone ??= deferred());
    if (!this.#turn.hold() || this.#pendingBytes >= FLUSH_BYTES) this.#flush();
    return done.promise;
  }

  /**
   * Hands what is batched for the end of the tick to the stream now (before an orderly close, so a
   * response sent just before `close()` is not lost). A no-op while the stream is full.
   */
  flushNow(): void {
    this.#flush();
  }

  /** Rejects every waiting write with `error` and refuses later writes. Idempotent. */
  fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#stream.off('drain', this.#onDrain);
    const waiting = [this.#blocked, this.#pendingDone];
    this.#blocked = undefined;
    this.#pendingDone = undefined;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const w of waiting) {
      // A batch nobody awaits must not become an unhandled rejection.
      w?.promise.catch(() => undefined);
      w?.reject(error);
    }
  }

  #flush(): void {
    if (this.#blocked !== undefined || this.#pending.length === 0 || this.#failure) return;
    const pending = this.#pending;
    const large = this.#pendingBytes >= FLUSH_BYTES && pending.length > 1;
    const done = this.#pendingDone as Deferred;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingDone = undefined;
    let accepted: boolean;
    if (large) {
      // Large pieces (a frame's bytes as received) go out as they are, in one writev: joining them
      // would copy megabytes for nothing.
      this.#stream.cork();
      accepted = true;
      for (const part of pending) accepted = this.#stream.write(part);
      this.#stream.uncork();
    } else accepted = this.#stream.write(combine(pending));
    if (accepted) done.resolve();
    else {
      this.#blocked = done;
      this.#onPressure?.(true);
    }
  }

  readonly #onDrain = (): void => {
    const blocked = this.#blocked;
    this.#blocked = undefined;
    blocked?.resolve();
    this.#flush();
    // Still full after flushing what waited: the pressure goes on.
    if (blocked !== undefined && this.#blocked === undefined) this.#onPressure?.(false);
  };
}
