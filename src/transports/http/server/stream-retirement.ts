import type { EventStore } from './event-store.js';

/** How long a finished stream's events stay resumable after its last event was written. */
export const FINISHED_STREAM_RETENTION_MS = 60_000;
/** Most finished streams of one session waiting out their retention; beyond, the oldest go at once. */
const MAX_RETIRING = 1_000;

/**
 * Drops the stored events of a session's finished streams, but only after a retention period: a
 * write that succeeded went to the kernel, not necessarily to the client (a connection through an
 * instance that was just killed looks healthy until its close is noticed), so the client may still
 * resume the stream with `Last-Event-ID` — at this instance or, with a shared store, at another one.
 * No timers: due streams are dropped whenever another one retires; the rest go with the session.
 */
export class StreamRetirement {
  readonly #sessionId: string;
  readonly #store: EventStore;
  readonly #report: (error: Error) => void;
  readonly #retentionMs: number;
  #due: { streamId: number; at: number }[] = [];

  constructor(
    sessionId: string,
    store: EventStore,
    report: (error: Error) => void,
    retentionMs = FINISHED_STREAM_RETENTION_MS,
  ) {
    this.#sessionId = sessionId;
    this.#store = store;
    this.#report = report;
    this.#retentionMs = retentionMs;
  }

  /** `streamId` finished and was written out: its events go after the retention period. */
  retire(streamId: number): void {
    const now = Date.now();
    this.#due.push({ streamId, at: now + this.#retentionMs });
    let expired = 0;
    while (
      expired < this.#due.length &&
      ((this.#due[expired]?.at ?? 0) <= now || this.#due.length - expired > MAX_RETIRING)
    ) {
      this.#drop((this.#due[expired] as { streamId: number }).streamId);
      expired++;
    }
    if (expired > 0) this.#due = this.#due.slice(expired);
  }

  #drop(streamId: number): void {
    this.#store.dropStream(this.#sessionId, streamId)?.catch(this.#report);
  }
}
