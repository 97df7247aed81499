import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { DEFAULT_MAX_QUEUED_BYTES } from './write-queue.js';

/** Default unflushed bytes above which `send()` waits for the socket: 1 MiB. */
export const DEFAULT_SEND_HIGH_WATER_MARK = 1024 * 1024;

/**
 * Backpressure for a message socket whose `send(data, callback)` always accepts data and calls back
 * once it is flushed to the OS (the `ws` contract).
 *
 * A send is handed to the socket at once (so order is the call order); its promise resolves at once
 * while the unflushed total stays at or under `highWaterMark`, otherwise when its own data was flushed.
 * Beyond `maxQueuedBytes` unflushed, sends are refused (one message is always admitted).
 */
export class WebSocketSendWindow {
  readonly #highWaterMark: number;
  readonly #maxQueuedBytes: number;
  readonly #waiting = new Set<(error: Error) => void>();
  #unflushed = 0;
  #failure: Error | undefined;
  #pressed = false;
  /** Told `true` when the unflushed total rises above the high-water mark, `false` once back at or under it. */
  onPressure: ((pressed: boolean) => void) | undefined;

  /**
   * @param highWaterMark - default 1 MiB
   * @param maxQueuedBytes - default 64 MiB
   */
  constructor(highWaterMark = DEFAULT_SEND_HIGH_WATER_MARK, maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES) {
    this.#highWaterMark = highWaterMark;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  #update(): void {
    const pressed = this.#unflushed > this.#highWaterMark;
    if (pressed === this.#pressed) return;
    this.#pressed = pressed;
    this.onPressure?.(pressed);
  }

  /** Bytes handed to the socket and not yet flushed. */
  get unflushedBytes(): number {
    return this.#unflushed;
  }

  /**
   * @param bytes - size of the message
   * @param write - hands the message to the socket; calls `done` once flushed (with an error if not)
   * @param mapError - turns a socket error into what the caller should see
   * @throws SwitchboardError `WRITE_FAILED` when too much is waiting; the `fail()` error once failed
   */
  send(
    bytes: number,
    write: (done: (error?: Error) => void) => void,
    mapError: (error: Error) => Error,
  ): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#unflushed > 0 && this.#unflushed + bytes > this.#maxQueuedBytes) {
      return Promise.reject(
        new SwitchboardError(
          'WRITE_FAILED',
          `Send queue full: ${this.#unflushed} bytes are waiting for a slow peer (limit ${this.#maxQueuedBytes})`,
        ),
      );
    }
    this.#unflushed += bytes;
    const wait = this.#unflushed > this.#highWaterMark;
    this.#update();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        this.#waiting.delete(settle);
        if (error) reject(error);
        else resolve();
      };
      if (wait) this.#waiting.add(settle);
      try {
        write((error) => {
          this.#unflushed -= bytes;
          this.#update();
          // A send that already resolved and then failed is reported by the close that follows.
          if (wait) settle(error ? mapError(error) : undefined);
        });
      } catch (error) {
        this.#unflushed -= bytes;
        this.#update();
        settle(mapError(toSwitchboardError(error, 'WRITE_FAILED')));
        return;
      }
      if (!wait) settle();
    });
  }

  /** Rejects every waiting send with `error` and refuses later ones. Idempotent. */
  fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const settle of [...this.#waiting]) settle(error);
  }
}
