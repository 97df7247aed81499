import { isRequestId, type JSONRPCMessage, type RequestId } from '../protocol/messages.js';

/** Default bound on request ids tracked per direction and connection: 10 000. */
export const DEFAULT_MAX_TRACKED_REQUESTS = 10_000;

function cancelledId(message: JSONRPCMessage): RequestId | undefined {
  if (message.method !== 'notifications/cancelled') return undefined;
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return isRequestId(id) ? id : undefined;
}

/**
 * Counts the requests in flight on one connection, in both directions, so a listener can tell an idle
 * connection (close it now) from a busy one (let it finish) when it shuts down.
 *
 * A request is in flight from the moment it passes until its response passes the other way, or a
 * `notifications/cancelled` for it does. At most `maxTracked` ids are kept per direction; requests
 * beyond that are not waited for.
 */
export class InflightTracker {
  // Ids as they are: a Set tells the number 1 from the string "1" (SameValueZero), as JSON-RPC does.
  readonly #inbound = new Set<RequestId>();
  readonly #outbound = new Set<RequestId>();
  readonly #maxTracked: number;
  #waiters: (() => void)[] = [];

  /** @param maxTracked - bound on ids kept per direction (default 10 000) */
  constructor(maxTracked = DEFAULT_MAX_TRACKED_REQUESTS) {
    this.#maxTracked = maxTracked;
  }

  /** `true` when no request is waiting for a response in either direction. */
  get idle(): boolean {
    return this.#inbound.size === 0 && this.#outbound.size === 0;
  }

  /** Requests in flight (both directions). */
  get size(): number {
    return this.#inbound.size + this.#outbound.size;
  }

  /** A message arrived from the peer. */
  received(message: JSONRPCMessage): void {
    this.#observe(message, this.#inbound, this.#outbound);
  }

  /** A message is being sent to the peer. */
  sent(message: JSONRPCMessage): void {
    this.#observe(message, this.#outbound, this.#inbound);
  }

  /** Resolves once idle (at once if idle now). */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Forgets everything (the connection closed) and releases the waiters. */
  clear(): void {
    this.#inbound.clear();
    this.#outbound.clear();
    this.#settle();
  }

  /**
   * @param mine - requests this message's sender made (a request from the sender is added here)
   * @param theirs - requests the other side made (a response from the sender removes one)
   */
  #observe(message: JSONRPCMessage, mine: Set<RequestId>, theirs: Set<RequestId>): void {
    const id = message.id;
    if (typeof message.method === 'string') {
      if (isRequestId(id)) {
        if (mine.size < this.#maxTracked) mine.add(id);
        return;
      }
      // The sender gives up on one of its own requests: no response is expected any more.
      const cancelled = cancelledId(message);
      if (cancelled !== undefined && mine.delete(cancelled)) this.#settle();
      return;
    }
    if (isRequestId(id) && theirs.delete(id)) this.#settle();
  }

  #settle(): void {
    if (!this.idle || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
