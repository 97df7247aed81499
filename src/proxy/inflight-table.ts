import type { RequestId } from '../protocol/messages.js';
import { processDeadlineWheel, WheelEntry, type DeadlineWheel } from './deadline-wheel.js';

/**
 * The method of long-lived requests whose notifications carry their subscription id: they end only
 * with the client or the session, and are never the owner of other notifications.
 */
export const LISTEN = 'subscriptions/listen';

/** One client request waiting for the backend's answer. */
export interface InflightRequest {
  id: RequestId;
  method: string;
  progressToken: string | number | undefined;
  startedAt: number;
  deadline: number;
}

/** A request of one table, filed on the deadline wheel (when the table has a timeout). */
class Entry extends WheelEntry implements InflightRequest {
  readonly id: RequestId;
  readonly method: string;
  readonly progressToken: string | number | undefined;
  readonly startedAt: number;
  readonly #table: InflightTable;

  constructor(table: InflightTable, id: RequestId, method: string, token: string | number | undefined) {
    super();
    this.#table = table;
    this.id = id;
    this.method = method;
    this.progressToken = token;
    this.startedAt = Date.now();
  }

  expire(): void {
    this.#table.expired(this);
  }
}

/**
 * Client requests in flight through a relay, with deadlines that progress notifications extend up to a
 * hard cap. The deadlines are filed on a {@link DeadlineWheel} (by default the one of the process): no
 * timer per request or per table, and a granularity of a tenth of the timeout (10 ms … 1 s).
 */
export class InflightTable {
  readonly #byId = new Map<RequestId, Entry>();
  readonly #byToken = new Map<string | number, Entry>();
  /** Entries that are `subscriptions/listen` streams (open until the client or the session ends them). */
  #listens = 0;
  readonly #timeoutMs: number;
  readonly #maxTimeoutMs: number;
  readonly #slackMs: number;
  readonly #wheel: DeadlineWheel;
  readonly #onExpired: (request: InflightRequest) => void;

  /**
   * @param timeoutMs - deadline of a request without progress (0 = none)
   * @param maxTimeoutMs - hard cap, however much progress arrives
   * @param onExpired - called once for each request whose deadline passed (already removed)
   * @param wheel - where the deadlines are filed (default: the process's wheel)
   */
  constructor(
    timeoutMs: number,
    maxTimeoutMs: number,
    onExpired: (request: InflightRequest) => void,
    wheel: DeadlineWheel = processDeadlineWheel,
  ) {
    this.#timeoutMs = timeoutMs;
    this.#maxTimeoutMs = Math.max(maxTimeoutMs, timeoutMs);
    this.#slackMs = Math.min(1000, Math.max(10, Math.floor(timeoutMs / 10)));
    this.#wheel = wheel;
    this.#onExpired = onExpired;
  }

  get size(): number {
    return this.#byId.size;
  }

  /**
   * Requests a shutdown waits for: all but `subscriptions/listen` streams, which end only when the
   * client or the session does (waiting for them would always wait out the whole grace period).
   */
  get awaitedSize(): number {
    return this.#byId.size - this.#listens;
  }

  add(id: RequestId, method: string, progressToken: string | number | undefined): void {
    const entry = new Entry(this, id, method, progressToken);
    // A request id used again while in flight replaces the earlier entry (and its deadline).
    const earlier = this.#byId.get(id);
    if (earlier !== undefined) this.#remove(earlier);
    this.#byId.set(id, entry);
    if (method === LISTEN) this.#listens++;
    if (progressToken !== undefined) this.#byToken.set(progressToken, entry);
    if (this.#timeoutMs > 0) {
      entry.deadline = entry.startedAt + this.#timeoutMs;
      this.#wheel.schedule(entry, this.#slackMs);
    }
  }

  /** Removes and returns the request, if it is in flight. */
  take(id: RequestId): InflightRequest | undefined {
    const entry = this.#byId.get(id);
    if (entry === undefined) return undefined;
    this.#remove(entry);
    return entry;
  }

  has(id: RequestId): boolean {
    return this.#byId.has(id);
  }

  /** A progress notification arrived: push the request's deadline out, up to the hard cap. */
  progressed(token: string | number): void {
    const entry = this.#byToken.get(token);
    if (entry === undefined || this.#timeoutMs <= 0) return;
    // Only ever later: the wheel files the entry again when its old bucket comes due.
    entry.deadline = Math.min(Date.now() + this.#timeoutMs, entry.startedAt + this.#maxTimeoutMs);
  }

  /** All requests still in flight (for answering them when the session ends). */
  drain(): InflightRequest[] {
    const all = [...this.#byId.values()];
    for (const entry of all) this.#wheel.cancel(entry);
    this.#byId.clear();
    this.#byToken.clear();
    this.#listens = 0;
    return all;
  }

  /** The wheel says `entry`'s deadline passed. @internal */
  expired(entry: Entry): void {
    if (this.#byId.get(entry.id) !== entry) return;
    this.#remove(entry);
    this.#onExpired(entry);
  }

  #remove(entry: Entry): void {
    this.#wheel.cancel(entry);
    this.#byId.delete(entry.id);
    if (entry.method === LISTEN) this.#listens--;
    if (entry.progressToken !== undefined && this.#byToken.get(entry.progressToken) === entry) {
      this.#byToken.delete(entry.progressToken);
    }
  }
}
