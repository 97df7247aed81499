import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { isRequest, isResponse, type JSONRPCMessage, type RequestId } from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import type { TransportMiddleware } from './pipe.js';
import { cancelledRequestId } from './request-outcome.js';
import { TransportDecorator } from './transport-decorator.js';

/** Options of {@link Bulkhead}. */
export interface BulkheadOptions {
  /** Requests in flight at once (default 64). */
  maxConcurrent?: number | undefined;
  /** Requests waiting for a slot, beyond which requests are refused at once (default 256; 0 = no queue). */
  maxQueued?: number | undefined;
  /** Called for each refused request. */
  onReject?: ((method: string) => void) | undefined;
}

/** A request waiting for a slot. */
interface Waiter {
  run: () => void;
}

/**
 * A bulkhead for one backend: at most `maxConcurrent` requests in flight, at most `maxQueued` waiting in
 * FIFO order for a slot, the rest refused at once with `BULKHEAD_FULL`. A slot is held from sending
 * until the answer arrives, the request is cancelled (by the client or the proxy's timeout) or the
 * connection closes. Notifications and responses are never held. A cancelled waiting request leaves the
 * queue at once.
 *
 * (Not cockatiel's `BulkheadPolicy`: its queue keeps aborted entries until their turn and then stops
 * dequeuing, which stalls the requests behind a cancelled one.)
 *
 * Every transport wrapped by its {@link middleware} shares the limit.
 *
 * @example
 * ```ts
 * const limit = new Bulkhead({ maxConcurrent: 8, maxQueued: 32 });
 * const backend = pipe(connect('tcp://127.0.0.1:7000'), limit.middleware);
 * ```
 */
export class Bulkhead {
  readonly #max: number;
  readonly #maxQueued: number;
  readonly #onReject: ((method: string) => void) | undefined;
  readonly #queue = new Set<Waiter>();
  #active = 0;

  /** @param options - limits (defaults 64 in flight, 256 queued) */
  constructor(options: BulkheadOptions = {}) {
    this.#max = Math.max(1, options.maxConcurrent ?? 64);
    this.#maxQueued = Math.max(0, options.maxQueued ?? 256);
    this.#onReject = options.onReject;
  }

  /** Free slots. */
  get available(): number {
    return this.#max - this.#active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#queue.size;
  }

  /** The middleware: every transport it wraps shares this bulkhead. */
  readonly middleware: TransportMiddleware = (inner) => new BulkheadTransport(inner, this);

  /**
   * Takes a slot now (`true`), queues `waiter` (`false`; its `run` is called when a slot is its), or
   * refuses (throws `BULKHEAD_FULL`).
   * @internal
   */
  acquire(waiter: Waiter, method: string): boolean {
    if (this.#active < this.#max && this.#queue.size === 0) {
      this.#active++;
      return true;
    }
    if (this.#queue.size >= this.#maxQueued) {
      this.#onReject?.(method);
      throw new SwitchboardError(
        'BULKHEAD_FULL',
        `Backend busy: ${this.#max} requests in flight and ${this.#queue.size} waiting; try again later`,
      );
    }
    this.#queue.add(waiter);
    return false;
  }

  /** Gives a slot back; the longest-waiting request gets it. @internal */
  release(): void {
    const next = this.#queue.values().next();
    if (next.done === true) {
      this.#active--;
      return;
    }
    this.#queue.delete(next.value);
    next.value.run();
  }

  /** Removes a waiting request from the queue. @internal */
  dequeue(waiter: Waiter): boolean {
    return this.#queue.delete(waiter);
  }
}

/** The per-connection side of a {@link Bulkhead}. */
class BulkheadTransport extends TransportDecorator {
  readonly #bulkhead: Bulkhead;
  /** Requests holding a slot. */
  readonly #active = new Set<RequestId>();
  /** Requests waiting for a slot: id → give up waiting. */
  readonly #queued = new Map<RequestId, () => void>();

  constructor(inner: Transport, bulkhead: Bulkhead) {
    super(inner);
    this.#bulkhead = bulkhead;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!isRequest(message)) {
      const cancelled = cancelledRequestId(message);
      if (cancelled !== undefined) this.#release(cancelled);
      return this.inner.send(message, options);
    }
    const id = message.id;
    const dispatch = (): Promise<void> => {
      this.#active.add(id);
      return this.inner.send(message, options).catch((error: unknown) => {
        this.#release(id);
        throw error;
      });
    };
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const waiter = {
      run: (): void => {
        this.#queued.delete(id);
        dispatch().then(resolve, reject);
      },
    };
    try {
      if (this.#bulkhead.acquire(waiter, message.method)) return dispatch();
    } catch (error) {
      return Promise.reject(toSwitchboardError(error));
    }
    return new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
      this.#queued.set(id, () => {
        this.#bulkhead.dequeue(waiter);
        rej(new SwitchboardError('ABORTED', 'The request was cancelled while waiting for a slot'));
      });
    });
  }

  override close(): Promise<void> {
    this.#releaseAll();
    return super.close();
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (isResponse(message) && message.id !== undefined) this.#release(message.id);
    this.deliver(message, extra);
  }

  protected override handleClose(): void {
    this.#releaseAll();
    super.handleClose();
  }

  #release(id: RequestId): void {
    if (this.#active.delete(id)) {
      this.#bulkhead.release();
      return;
    }
    const giveUp = this.#queued.get(id);
    if (giveUp !== undefined) {
      this.#queued.delete(id);
      giveUp();
    }
  }

  #releaseAll(): void {
    const queued = [...this.#queued.values()];
    this.#queued.clear();
    for (const giveUp of queued) giveUp();
    const active = this.#active.size;
    this.#active.clear();
    for (let i = 0; i < active; i++) this.#bulkhead.release();
  }
}

/**
 * Bulkhead middleware: pass options for a new bulkhead shared by every transport this middleware wraps,
 * or a {@link Bulkhead} you hold.
 *
 * @param options - limits (defaults 64 in flight, 256 queued)
 * @example
 * ```ts
 * const backend = pipe(connect('unix:///run/mcp.sock'), bulkhead({ maxConcurrent: 4, maxQueued: 0 }));
 * ```
 */
export function bulkhead(options: BulkheadOptions | Bulkhead = {}): TransportMiddleware {
  return (options instanceof Bulkhead ? options : new Bulkhead(options)).middleware;
}
