import type { RequestId } from '../protocol/messages.js';

/** One client request waiting for the backend's answer. */
export interface InflightRequest {
  id: RequestId;
  method: string;
  progressToken: string | number | undefined;
  startedAt: number;
  deadline: number;
}

/**
 * Client requests in flight through a relay, with deadlines that progress notifications extend up to a
 * hard cap. One sweep timer per table (not one timer per request): cheaper on the hot path, with a
 * granularity of a tenth of the timeout (10 ms … 1 s).
 */
export class InflightTable {
  readonly #byId = new Map<RequestId, InflightRequest>();
  readonly #byToken = new Map<string | number, InflightRequest>();
  readonly #timeoutMs: number;
  readonly #maxTimeoutMs: number;
  readonly #onExpired: (request: InflightRequest) => void;
  #sweep: NodeJS.Timeout | undefined;

  /**
   * @param timeoutMs - deadline of a request without progress (0 = none)
   * @param maxTimeoutMs - hard cap, however much progress arrives
   * @param onExpired - called once for each request whose deadline passed (already removed)
   */
  constructor(timeoutMs: number, maxTimeoutMs: number, onExpired: (request: InflightRequest) => void) {
    this.#timeoutMs = timeoutMs;
    this.#maxTimeoutMs = Math.max(maxTimeoutMs, timeoutMs);
    this.#onExpired = onExpired;
  }

  get size(): number {
    return this.#byId.size;
  }

  add(id: RequestId, method: string, progressToken: string | number | undefined): void {
    const now = Date.now();
    const entry: InflightRequest = {
      id,
      method,
      progressToken,
      startedAt: now,
      deadline: this.#timeoutMs > 0 ? now + this.#timeoutMs : Infinity,
    };
    this.#byId.set(id, entry);
    if (progressToken !== undefined) this.#byToken.set(progressToken, entry);
    if (this.#timeoutMs > 0 && this.#sweep === undefined) {
      const every = Math.min(1000, Math.max(10, Math.floor(this.#timeoutMs / 10)));
      this.#sweep = setInterval(() => this.#expire(), every);
      this.#sweep.unref();
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
    entry.deadline = Math.min(Date.now() + this.#timeoutMs, entry.startedAt + this.#maxTimeoutMs);
  }

  /** All requests still in flight (for answering them when the session ends). */
  drain(): InflightRequest[] {
    const all = [...this.#byId.values()];
    this.#byId.clear();
    this.#byToken.clear();
    this.#stop();
    return all;
  }

  #remove(entry: InflightRequest): void {
    this.#byId.delete(entry.id);
    if (entry.progressToken !== undefined && this.#byToken.get(entry.progressToken) === entry) {
      this.#byToken.delete(entry.progressToken);
    }
    if (this.#byId.size === 0) this.#stop();
  }

  #stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  #expire(): void {
    const now = Date.now();
    const expired: InflightRequest[] = [];
    for (const entry of this.#byId.values()) if (entry.deadline <= now) expired.push(entry);
    for (const entry of expired) {
      this.#remove(entry);
      this.#onExpired(entry);
    }
  }
}
