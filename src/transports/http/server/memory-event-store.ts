import type { EventStore, StoredEvent } from './event-store.js';

/** Options of {@link MemoryEventStore}. */
export interface MemoryEventStoreOptions {
  /** Bound on stored payload bytes across all sessions; the oldest events go first (default 64 MiB). */
  maxBytes?: number | undefined;
}

/** Default bound of the in-memory event store. */
export const DEFAULT_EVENT_STORE_BYTES = 64 * 1024 * 1024;

/** Rough per-event bookkeeping cost counted against the bound. */
const EVENT_OVERHEAD = 64;

interface StreamEvents {
  events: StoredEvent[];
  head: number;
  dropped: boolean;
}

interface FifoEntry {
  stream: StreamEvents;
  seq: number;
  bytes: number;
}

/**
 * A bounded, single-process {@link EventStore}. Events are evicted oldest-first (across all sessions)
 * once `maxBytes` is exceeded; an event larger than the whole bound is not stored (its stream is then
 * not resumable past it). Operations are synchronous.
 *
 * @example
 * ```ts
 * listen('http://127.0.0.1:8080/mcp', { onConnection, http: { eventStore: new MemoryEventStore({ maxBytes: 8 << 20 }) } });
 * ```
 */
export class MemoryEventStore implements EventStore {
  readonly #maxBytes: number;
  readonly #sessions = new Map<string, Map<number, StreamEvents>>();
  #fifo: FifoEntry[] = [];
  #fifoHead = 0;
  #liveEntries = 0;
  #bytes = 0;

  /** @param options - `maxBytes` (default 64 MiB) */
  constructor(options: MemoryEventStoreOptions = {}) {
    this.#maxBytes = options.maxBytes ?? DEFAULT_EVENT_STORE_BYTES;
  }

  /** Payload bytes currently held (approximate: characters plus bookkeeping). */
  get size(): number {
    return this.#bytes;
  }

  append(sessionId: string, streamId: number, seq: number, data: string): undefined {
    const bytes = data.length + EVENT_OVERHEAD;
    if (bytes > this.#maxBytes) return undefined;
    let streams = this.#sessions.get(sessionId);
    if (streams === undefined) {
      streams = new Map();
      this.#sessions.set(sessionId, streams);
    }
    let stream = streams.get(streamId);
    if (stream === undefined) {
      stream = { events: [], head: 0, dropped: false };
      streams.set(streamId, stream);
    }
    stream.events.push({ seq, data });
    this.#fifo.push({ stream, seq, bytes });
    this.#liveEntries++;
    this.#bytes += bytes;
    while (this.#bytes > this.#maxBytes) this.#evictOldest();
    return undefined;
  }

  replay(sessionId: string, streamId: number, afterSeq: number): StoredEvent[] {
    const stream = this.#sessions.get(sessionId)?.get(streamId);
    if (stream === undefined) return [];
    const out: StoredEvent[] = [];
    for (let i = stream.head; i < stream.events.length; i++) {
      const e = stream.events[i] as StoredEvent;
      if (e.seq > afterSeq) out.push(e);
    }
    return out;
  }

  hasStream(sessionId: string, streamId: number): boolean {
    const stream = this.#sessions.get(sessionId)?.get(streamId);
    return stream !== undefined && stream.head < stream.events.length;
  }

  dropStream(sessionId: string, streamId: number): undefined {
    const streams = this.#sessions.get(sessionId);
    const stream = streams?.get(streamId);
    if (streams === undefined || stream === undefined) return undefined;
    streams.delete(streamId);
    if (streams.size === 0) this.#sessions.delete(sessionId);
    this.#forget(stream);
    return undefined;
  }

  dropSession(sessionId: string): undefined {
    const streams = this.#sessions.get(sessionId);
    if (streams === undefined) return undefined;
    this.#sessions.delete(sessionId);
    for (const stream of streams.values()) this.#forget(stream);
    return undefined;
  }

  #forget(stream: StreamEvents): void {
    stream.dropped = true;
    for (let i = stream.head; i < stream.events.length; i++) {
      this.#bytes -= (stream.events[i] as StoredEvent).data.length + EVENT_OVERHEAD;
      this.#liveEntries--;
    }
    stream.events = [];
    stream.head = 0;
    // The FIFO still references the forgotten events; compact once stale entries dominate so the
    // FIFO stays proportional to what is actually stored.
    const held = this.#fifo.length - this.#fifoHead;
    if (held > 1024 && held > 2 * this.#liveEntries) this.#compact();
  }

  #isLive(entry: FifoEntry): boolean {
    const s = entry.stream;
    return !s.dropped && s.head < s.events.length && (s.events[s.head] as StoredEvent).seq <= entry.seq;
  }

  #evictOldest(): void {
    while (this.#fifoHead < this.#fifo.length) {
      const entry = this.#fifo[this.#fifoHead] as FifoEntry;
      this.#fifoHead++;
      if (!this.#isLive(entry)) continue;
      const s = entry.stream;
      // Events of a stream are appended in FIFO order, so the oldest live entry is its head.
      s.head++;
      this.#bytes -= entry.bytes;
      this.#liveEntries--;
      if (s.head > 64 && s.head * 2 > s.events.length) {
        s.events = s.events.slice(s.head);
        s.head = 0;
      }
      break;
    }
    if (this.#fifoHead > 1024 && this.#fifoHead * 2 > this.#fifo.length) {
      this.#fifo = this.#fifo.slice(this.#fifoHead);
      this.#fifoHead = 0;
    }
  }

  #compact(): void {
    const kept: FifoEntry[] = [];
    for (let i = this.#fifoHead; i < this.#fifo.length; i++) {
      const entry = this.#fifo[i] as FifoEntry;
      if (this.#isLive(entry)) kept.push(entry);
    }
    this.#fifo = kept;
    this.#fifoHead = 0;
  }
}
