import { SwitchboardError } from '../errors.js';
import { recordBytes, type QueueRecord } from './queue-types.js';

/** Default bytes a sender may have stored on the broker and not yet consumed by its peer: 8 MiB. */
export const DEFAULT_QUEUE_WINDOW_BYTES = 8 * 1024 * 1024;

/** Default bytes that may wait in process memory behind a full window: 64 MiB. */
export const DEFAULT_QUEUE_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** Options of {@link FlowSender}. */
export interface FlowSenderOptions {
  /** Stores one record on the broker (in call order), with the `settles` given to `send`; resolves once stored. */
  submit: (record: QueueRecord, settles: string | undefined) => Promise<void>;
  /** Total bytes of our records the peer has consumed so far. */
  consumed: () => Promise<number>;
  /** Window of stored-but-unconsumed bytes (default 8 MiB; one record is always admitted). */
  windowBytes?: number | undefined;
  /** Bound on bytes waiting in memory behind a full window (default 64 MiB). */
  maxQueuedBytes?: number | undefined;
}

interface Pending {
  record: QueueRecord;
  settles: string | undefined;
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 100;

/**
 * Ordered sends onto a queue with credit-style flow control: records are stored on the broker at once
 * (pipelined, in order) while the peer has consumed all but `windowBytes` of what was sent; beyond, the
 * sender polls the peer's consumed counter and holds later records back (in order, bounded in memory)
 * until the peer catches up. So a peer that stops reading stalls its sender instead of growing the broker.
 */
export class FlowSender {
  readonly #options: FlowSenderOptions;
  readonly #window: number;
  readonly #maxQueued: number;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  /** Bytes handed to `submit` so far. */
  #sent = 0;
  /** The peer's consumed counter as last seen. */
  #consumed = 0;
  #pumping = false;
  #failure: Error | undefined;

  constructor(options: FlowSenderOptions) {
    this.#options = options;
    this.#window = options.windowBytes ?? DEFAULT_QUEUE_WINDOW_BYTES;
    this.#maxQueued = options.maxQueuedBytes ?? DEFAULT_QUEUE_MAX_QUEUED_BYTES;
  }

  /** Bytes sent and not yet known to be consumed by the peer. */
  get unconsumedBytes(): number {
    return this.#sent - this.#consumed;
  }

  /**
   * Sends `record` after everything sent before it; resolves once the broker stored it.
   * @param settles - passed to `submit` with the record (what storing it settles, e.g. a request handle)
   * @throws SwitchboardError the {@link fail} error; `WRITE_FAILED` when too much waits in memory
   */
  send(record: QueueRecord, settles?: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const bytes = recordBytes(record);
    if (this.#queue.length === 0 && !this.#pumping && this.#sent - this.#consumed + bytes <= this.#window) {
      this.#sent += bytes;
      return this.#options.submit(record, settles);
    }
    if (this.#queue.length > 0 && this.#queuedBytes + bytes > this.#maxQueued) {
      return Promise.reject(
        new SwitchboardError(
          'WRITE_FAILED',
          `Send queue full: ${this.#queuedBytes} bytes wait for a peer that does not consume (limit ${this.#maxQueued})`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ record, settles, bytes, resolve, reject });
      this.#queuedBytes += bytes;
      if (!this.#pumping) void this.#pump();
    });
  }

  /** Rejects every waiting send with `error` and refuses later ones. Idempotent. */
  fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    const waiting = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const p of waiting) p.reject(error);
  }

  /** Resolves once nothing waits in memory (everything was handed to the broker), or at failure. */
  async flushed(): Promise<void> {
    while (this.#pumping && !this.#failure) await new Promise((r) => setTimeout(r, FIRST_POLL_MS));
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    let delay = FIRST_POLL_MS;
    try {
      while (this.#queue.length > 0 && !this.#failure) {
        const next = this.#queue[0] as Pending;
        // One record is always admitted, however large, so a huge message cannot deadlock.
        if (this.#sent - this.#consumed > 0 && this.#sent - this.#consumed + next.bytes > this.#window) {
          let consumed: number;
          try {
            consumed = await this.#options.consumed();
          } catch (error) {
            // The broker is unreachable: keep waiting (records stay queued, bounded).
            await sleep(delay);
            delay = Math.min(MAX_POLL_MS, delay * 2);
            void error;
            continue;
          }
          if (consumed > this.#consumed) this.#consumed = consumed;
          if (this.#sent - this.#consumed + next.bytes > this.#window && this.#sent - this.#consumed > 0) {
            await sleep(delay);
            delay = Math.min(MAX_POLL_MS, delay * 2);
          }
          continue;
        }
        delay = FIRST_POLL_MS;
        this.#queue.shift();
        this.#queuedBytes -= next.bytes;
        this.#sent += next.bytes;
        this.#options.submit(next.record, next.settles).then(next.resolve, next.reject);
      }
    } finally {
      this.#pumping = false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
