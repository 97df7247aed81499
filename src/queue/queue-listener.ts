import { toSwitchboardError } from '../errors.js';
import type { Listener, ListenerCloseOptions, ListenerOptions } from '../listener.js';
import { QueueServerTransport, type QueueServerContext } from './queue-server-transport.js';
import type { ClaimResult, ReceivedRecord, WorkerQueue } from './queue-types.js';

/** Options of {@link listenQueue} beyond the common listener options. */
export interface QueueListenOptions extends ListenerOptions {
  /** Bytes stored and not yet consumed by a client before a reply waits (default 8 MiB). */
  windowBytes?: number | undefined;
  /** Bytes that may wait in memory behind a full window, per connection (default 64 MiB). */
  maxQueuedBytes?: number | undefined;
  /** Close a connection with nothing pending after this long without traffic, in ms (default 30 min; 0 = never). */
  idleTimeoutMs?: number | undefined;
  /**
   * Re-run every request a dead worker had started (default false: only read-only methods and tools
   * annotated `readOnlyHint`/`idempotentHint`; the others are answered with a `WORKER_LOST` error).
   */
  rerunUnsafe?: boolean | undefined;
}

/** What a pool worker did, for metrics. */
export interface QueueListenerCounts {
  /** Connections taken over from dead workers. */
  adopted: number;
  /** Requests of dead workers run again here. */
  rerun: number;
  /** Requests of dead workers answered with `WORKER_LOST` instead. */
  refused: number;
}

/** Default idle expiry of a queue connection whose client vanished without closing. */
export const DEFAULT_QUEUE_IDLE_MS = 30 * 60_000;
/** Default bound on concurrent connections of one worker. */
export const DEFAULT_QUEUE_MAX_CONNECTIONS = 10_000;
const MAX_QUEUED_BEFORE_START = 1_000;
/** Bound on records buffered for connections whose claim is in progress. */
const MAX_CLAIMING_RECORDS = 10_000;

/**
 * A worker in a queue pool, as a {@link Listener}: each client connection it claims becomes one
 * {@link QueueServerTransport} handed to `onConnection`. Records of a connection another worker owns
 * are moved to that worker's inbox.
 */
export class QueueListener implements Listener {
  readonly url: string;
  readonly #queue: WorkerQueue;
  readonly #options: QueueListenOptions;
  readonly #connections = new Map<string, QueueServerTransport>();
  /** Records of connections being claimed, in arrival order. */
  readonly #claiming = new Map<string, ReceivedRecord[]>();
  #claimingCount = 0;
  readonly #ctx: QueueServerContext;
  #sweeper: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  readonly #counts: QueueListenerCounts = { adopted: 0, rerun: 0, refused: 0 };
  /**
   * Settles when the listener is done: resolves after {@link close}; rejects with a `WORKER_LOST` error
   * when the pool declared this worker dead while it lived and another worker adopted its connections
   * (it stopped serving them; `switchboard worker` exits then, to be started anew).
   */
  readonly closed: Promise<void>;
  #settleClosed!: (error?: Error) => void;

  /** @internal Use {@link listenQueue}. */
  constructor(url: string, queue: WorkerQueue, options: QueueListenOptions) {
    this.closed = new Promise<void>((resolve, reject) => {
      this.#settleClosed = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Read by whoever runs the listener; never an unhandled rejection when nobody does.
    this.closed.catch(() => undefined);
    this.url = url;
    this.#queue = queue;
    this.#options = options;
    this.#ctx = {
      queue,
      windowBytes: options.windowBytes,
      maxQueuedBytes: options.maxQueuedBytes,
      maxMessageBytes: options.maxMessageBytes ?? 32 * 1024 * 1024,
      maxQueuedBeforeStart: MAX_QUEUED_BEFORE_START,
      rerunUnsafe: options.rerunUnsafe ?? false,
      onReclaimed: (outcome) => {
        if (outcome === 'rerun') this.#counts.rerun++;
        else this.#counts.refused++;
      },
      onEnded: (t) => {
        if (this.#connections.get(t.connectionId) === t) this.#connections.delete(t.connectionId);
      },
    };
  }

  /** This worker's id in the pool. */
  get workerId(): string {
    return this.#queue.workerId;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** `true` while the broker is reachable. */
  get reachable(): boolean {
    return this.#queue.reachable;
  }

  /** Adoptions and reclaimed requests so far. */
  get counts(): Readonly<QueueListenerCounts> {
    return this.#counts;
  }

  /** Queue depth and requests in flight here, from the broker. */
  stats(): ReturnType<WorkerQueue['stats']> {
    return this.#queue.stats();
  }

  /** Stops taking new records (e.g. while the backend is saturated); other workers take them meanwhile. */
  pause(): void {
    this.#queue.pause();
  }

  /** Takes records again. */
  resume(): void {
    this.#queue.resume();
  }

  /** @internal */
  async start(): Promise<void> {
    await this.#queue.start({
      onRecord: this.#onRecord,
      onError: this.#report,
      onAdopted: (conn) => {
        if (this.#connections.has(conn) || this.#claiming.has(conn) || this.#closing !== undefined) return;
        this.#counts.adopted++;
        this.#open(conn, [], true);
      },
      onFenced: (error) => {
        this.#report(error);
        this.#closing ??= this.#fenced(error);
      },
    });
    const idle = this.#options.idleTimeoutMs ?? DEFAULT_QUEUE_IDLE_MS;
    if (idle > 0 && Number.isFinite(idle)) {
      this.#sweeper = setInterval(() => this.#sweep(idle), Math.max(50, Math.min(idle / 2, 60_000)));
      this.#sweeper.unref();
    }
  }

  /**
   * Leaves the pool: stops reading, lets connections with requests in flight drain for `graceMs`, then
   * closes every connection (clients are told) and the broker connections. Idempotent.
   */
  close(options: ListenerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.graceMs ?? 5_000).finally(() => this.#settleClosed());
    return this.#closing;
  }

  /**
   * Declared dead while alive: every connection ends without a word to its client (the adopter serves
   * it now; answers still running here would duplicate the adopter's), nothing is acknowledged.
   */
  async #fenced(error: Error): Promise<void> {
    clearInterval(this.#sweeper);
    this.#claiming.clear();
    this.#claimingCount = 0;
    await Promise.allSettled([...this.#connections.values()].map((t) => t.detach()));
    this.#connections.clear();
    await this.#queue.close().catch(this.#report);
    this.#settleClosed(error);
  }

  async #shutdown(graceMs: number): Promise<void> {
    clearInterval(this.#sweeper);
    this.#queue.pause();
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.#connections.values()].some((t) => t.pendingCount > 0)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.allSettled([...this.#connections.values()].map((t) => t.close()));
    await this.#queue.close();
  }

  readonly #onRecord = (received: ReceivedRecord): void => {
    const conn = received.record.conn;
    const open = this.#connections.get(conn);
    if (open !== undefined) {
      // A repeated open (a client re-attaching): confirm the binding again.
      if (received.record.type === 'open') this.#bind(conn);
      open.receive(received);
      return;
    }
    const waiting = this.#claiming.get(conn);
    if (waiting !== undefined) {
      if (this.#claimingCount >= MAX_CLAIMING_RECORDS) {
        this.#report(new Error(`dropping a record of connection ${conn}: too many records wait for claims`));
        return;
      }
      waiting.push(received);
      this.#claimingCount++;
      return;
    }
    // A record of a connection nobody here knows: an open (or a message, after a restart) opens one.
    const type = received.record.type;
    if ((type !== 'open' && type !== 'message') || this.#closing !== undefined) {
      this.#queue.ack(received.handle);
      return;
    }
    this.#claiming.set(conn, [received]);
    this.#claimingCount++;
    this.#queue.claim(conn).then(
      (result) => this.#claimed(conn, result),
      (error: unknown) => {
        this.#report(toSwitchboardError(error));
        this.#claimed(conn, { owner: 'unknown' });
      },
    );
  };

  #claimed(conn: string, result: ClaimResult): void {
    const records = this.#claiming.get(conn) ?? [];
    this.#claiming.delete(conn);
    this.#claimingCount -= records.length;
    if (result.owner === 'other') {
      for (const r of records) this.#queue.forward(r, result.worker).catch(this.#report);
      return;
    }
    // Unknown (broker trouble): leave the records unacknowledged; they are reclaimed later.
    if (result.owner === 'unknown') return;
    if (result.adoptedFrom !== undefined) this.#counts.adopted++;
    // A connection that did not start with `open` here (adopted, reclaimed, or this worker restarted)
    // was initialized elsewhere: its backend is re-initialized with the cached parameters.
    const resumed = result.adoptedFrom !== undefined || records[0]?.record.type !== 'open';
    this.#open(conn, records, resumed);
  }

  #open(conn: string, records: ReceivedRecord[], resumed: boolean): void {
    const max = this.#options.maxConnections ?? DEFAULT_QUEUE_MAX_CONNECTIONS;
    const transport = new QueueServerTransport(conn, this.#ctx);
    if (this.#connections.size >= max || this.#closing !== undefined) {
      for (const r of records) this.#queue.ack(r.handle);
      void transport.close();
      this.#report(new Error(`refusing connection ${conn}: ${max} connections are open`));
      return;
    }
    this.#connections.set(conn, transport);
    this.#bind(conn);
    if (resumed) transport.reinitialize(this.#queue.connectionState(conn));
    try {
      this.#options.onConnection(transport, { sessionId: conn });
    } catch (error) {
      this.#report(toSwitchboardError(error));
      void transport.close();
      return;
    }
    for (const r of records) transport.receive(r);
  }

  /** Tells the client of `conn` that this worker serves it. */
  #bind(conn: string): void {
    this.#queue
      .reply({ type: 'bind', conn, worker: this.#queue.workerId })
      .catch((error: unknown) => this.#report(toSwitchboardError(error)));
  }

  #sweep(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const t of [...this.#connections.values()]) {
      const since = t.idleSince();
      if (since !== undefined && since < cutoff) void t.close();
    }
  }

  readonly #report = (error: Error): void => {
    try {
      this.#options.onError?.(error);
    } catch {
      // A throwing error handler must not break the listener.
    }
  };
}

/**
 * Joins a queue pool as a worker and returns it as a {@link Listener}.
 *
 * @param url - the URI shown as the listener's `url` (without credentials)
 * @param queue - the worker side of the queue
 * @throws SwitchboardError `CONNECTION_FAILED` when the broker is unreachable
 */
export async function listenQueue(
  url: string,
  queue: WorkerQueue,
  options: QueueListenOptions,
): Promise<QueueListener> {
  const listener = new QueueListener(url, queue, options);
  await listener.start();
  return listener;
}
