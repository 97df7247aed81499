import type { EventStore, StoredEvent } from '../../transports/http/server/event-store.js';
import type { RedisClient } from '../../queue/redis/redis-client.js';
import type { StateKeys } from './redis-state-address.js';

/** Options of {@link RedisEventStore}. */
export interface RedisEventStoreOptions {
  /** Events kept per stream; the oldest go first (a resumption past them is partial). Default 10,000. */
  maxEventsPerStream?: number | undefined;
  /** Idle expiry of a session's events, in ms (default 24 h). */
  ttlMs?: number | undefined;
  /** Reports a failed write (never thrown). */
  onError?: ((error: Error) => void) | undefined;
}

/**
 * The SSE event store of several instances, in Redis: one list per (session, stream) of `seq\n data`
 * entries, bounded (`LTRIM`) and expiring, plus the set of a session's streams. All writes of one
 * instance go over one connection, so they apply in the order they were made. A client resuming with
 * `Last-Event-ID` at any instance gets what any instance stored for that stream.
 */
export class RedisEventStore implements EventStore {
  readonly #redis: RedisClient;
  readonly #keys: StateKeys;
  readonly #max: number;
  readonly #ttl: number;
  readonly #onError: (error: Error) => void;

  constructor(redis: RedisClient, keys: StateKeys, options: RedisEventStoreOptions = {}) {
    this.#redis = redis;
    this.#keys = keys;
    this.#max = options.maxEventsPerStream ?? 10_000;
    this.#ttl = options.ttlMs ?? 24 * 60 * 60_000;
    this.#onError = options.onError ?? (() => undefined);
  }

  append(sessionId: string, streamId: number, seq: number, data: string): Promise<void> {
    const key = this.#keys.events(sessionId, streamId);
    const streams = this.#keys.streams(sessionId);
    const r = this.#redis;
    // Issued in one tick: node-redis pipelines them into one round trip.
    const done = Promise.all([
      r.rPush(key, `${seq}\n${data}`),
      r.lTrim(key, -this.#max, -1),
      r.pExpire(key, this.#ttl),
      r.sAdd(streams, String(streamId)),
      r.pExpire(streams, this.#ttl),
    ]);
    return done.then(() => undefined);
  }

  async replay(sessionId: string, streamId: number, afterSeq: number): Promise<StoredEvent[]> {
    const raw = await this.#redis.lRange(this.#keys.events(sessionId, streamId), 0, -1);
    const out: StoredEvent[] = [];
    for (const entry of raw) {
      const i = entry.indexOf('\n');
      const seq = Number(entry.slice(0, i));
      if (seq > afterSeq) out.push({ seq, data: entry.slice(i + 1) });
    }
    return out;
  }

  async hasStream(sessionId: string, streamId: number): Promise<boolean> {
    return (await this.#redis.exists(this.#keys.events(sessionId, streamId))) === 1;
  }

  async dropStream(sessionId: string, streamId: number): Promise<void> {
    await Promise.all([
      this.#redis.unlink(this.#keys.events(sessionId, streamId)),
      this.#redis.sRem(this.#keys.streams(sessionId), String(streamId)),
    ]);
  }

  async dropSession(sessionId: string): Promise<void> {
    const streams = await this.#redis.sMembers(this.#keys.streams(sessionId));
    await this.#redis.unlink([
      this.#keys.streams(sessionId),
      ...streams.map((s) => this.#keys.events(sessionId, Number(s))),
    ]);
  }

  /** The last sequence number stored for each stream of a session (for a takeover). */
  async lastSeqs(sessionId: string): Promise<Record<number, number>> {
    const streams = await this.#redis.sMembers(this.#keys.streams(sessionId));
    const out: Record<number, number> = {};
    for (const s of streams) {
      const last = await this.#redis.lIndex(this.#keys.events(sessionId, Number(s)), -1);
      if (last !== null) out[Number(s)] = Number(last.slice(0, last.indexOf('\n')));
    }
    return out;
  }

  /** @internal */
  report(error: unknown): void {
    this.#onError(error instanceof Error ? error : new Error(String(error)));
  }
}
