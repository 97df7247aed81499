import type { Writable } from 'node:stream';
import { SwitchboardError } from '../errors.js';

interface Waiter {
  data: string | Buffer;
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Default bound on bytes waiting behind a full stream (beyond the stream's own highWaterMark). */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/**
 * Ordered writes with backpressure onto a Node `Writable`.
 *
 * `write()` resolves when the stream accepted the data (`write()` returned true) or, if the stream was full,
 * when it drained. While the stream is full, later writes wait in order in a bounded queue, so order is
 * kept and memory is bounded by `maxQueuedBytes` (one message is always admitted into an empty queue).
 */
export class WriteQueue {
  readonly #stream: Writable;
  readonly #maxQueuedBytes: number;
  #blocked: Waiter | undefined;
  #queue: Waiter[] = [];
  #queuedBytes = 0;
  #failure: Error | undefined;

  /**
   * @param stream - the destination
   * @param maxQueuedBytes - bound on waiting bytes (default 64 MiB)
   */
  constructor(stream: Writable, maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES) {
    this.#stream = stream;
    this.#maxQueuedBytes = maxQueuedBytes;
    stream.on('drain', this.#onDrain);
  }

  /** Bytes waiting in this queue (not counting the stream's own buffer). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Writes `data` after everything written before it.
   * @throws SwitchboardError `TRANSPORT_CLOSED` after {@link fail}; `WRITE_FAILED` when the queue is full
   */
  write(data: string | Buffer): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#blocked === undefined && this.#queue.length === 0) {
      if (this.#stream.write(data)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        this.#blocked = { data, bytes: 0, resolve, reject };
      });
    }
    // Characters for strings: a cheap approximation of bytes that is enough for a bound.
    const bytes = data.length;
    if (this.#queue.length > 0 && this.#queuedBytes + bytes > this.#maxQueuedBytes) {
      return Promise.reject(
        new SwitchboardError(
          'WRITE_FAILED',
          `Send queue full: ${this.#queuedBytes} bytes are waiting for a slow peer (limit ${this.#maxQueuedBytes})`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ data, bytes, resolve, reject });
      this.#queuedBytes += bytes;
    });
  }

  /** Rejects every waiting write with `error` and refuses later writes. Idempotent. */
  fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#stream.off('drain', this.#onDrain);
    const waiting = this.#blocked ? [this.#blocked, ...this.#queue] : this.#queue;
    this.#blocked = undefined;
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const w of waiting) w.reject(error);
  }

  readonly #onDrain = (): void => {
    const blocked = this.#blocked;
    this.#blocked = undefined;
    blocked?.resolve();
    while (this.#queue.length > 0 && !this.#failure) {
      const next = this.#queue.shift() as Waiter;
      this.#queuedBytes -= next.bytes;
      if (this.#stream.write(next.data)) next.resolve();
      else {
        this.#blocked = next;
        return;
      }
    }
  };
}
