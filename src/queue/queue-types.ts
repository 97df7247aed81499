/**
 * The queue layer behind MCP-over-a-queue: what the generic queue transports need of a message broker.
 *
 * A *connection* is one MCP client connection (one session). Its client submits records to the pool
 * (any worker may take the first one) or, once a worker claimed the connection, to that worker's inbox;
 * the worker answers on the connection's own reply channel. Redis Streams implement it
 * (`src/queue/redis/`); a Kafka, SQS or NATS adapter would implement these interfaces the same way:
 * a shared topic/queue for new connections, one per worker, one per connection for replies.
 */

/** One record on a queue: a whole JSON-RPC frame, or a control record of the connection protocol. */
export type QueueRecord =
  /**
   * Client → pool: a new connection (a worker claims it and answers with `bind`). `replyTo` names the
   * client's reply channel where the broker shares one among a process's connections (absent: the
   * connection's own channel); a repeated `open` may name a new one (another process re-attached).
   */
  | { type: 'open'; conn: string; replyTo?: string | undefined }
  /** A JSON-RPC message (request, notification or response) as JSON text. */
  | { type: 'message'; conn: string; data: string }
  /** Worker → client: "this connection is served by `worker`; send to its inbox from now on". */
  | { type: 'bind'; conn: string; worker: string }
  /** Either side: the connection ended (`reason` for humans). */
  | { type: 'close'; conn: string; reason?: string | undefined };

/** Bytes a record counts against a flow-control window (message payload plus a fixed overhead). */
export function recordBytes(record: QueueRecord): number {
  return record.type === 'message' ? record.data.length + 64 : 0;
}

/** A record read by a worker, with the handle that acknowledges it. */
export interface ReceivedRecord {
  readonly record: QueueRecord;
  /** Opaque: where the record was read (pool or inbox) and its position there. */
  readonly handle: string;
  /** How often the broker delivered it (greater than 1 after a reclaim). */
  readonly deliveries: number;
  /** Set when the record was reclaimed from a dead worker (it was read there and not finished). */
  readonly reclaimedFrom?: string | undefined;
}

/** What a worker cached about a connection, to re-initialize a backend when it adopts the connection. */
export interface ConnectionState {
  /** The client's `initialize` request (JSON text), when the connection is a 2025-era session. */
  initialize?: string | undefined;
  /** Whether the client sent `notifications/initialized`. */
  initialized: boolean;
}

/** Whether a tool may be run again after a worker died mid-call. */
export type ToolSafety = 'safe' | 'unsafe';

/** Counters of a worker queue, for metrics. */
export interface QueueStats {
  /** Entries waiting in the pool stream and this worker's inbox (not yet read). */
  depth: number;
  /** Entries read by this worker and not yet acknowledged (requests in flight). */
  pending: number;
}

/** Handlers of a client connection's reply channel. Never throw. */
export interface ReplyHandlers {
  /** The next record for this connection, in order. */
  onRecord: (record: QueueRecord) => void;
  /** Broker trouble that does not end the connection by itself (e.g. a lost broker connection). */
  onError: (error: Error) => void;
}

/**
 * The client side of a request queue (what `connect('redis://…')` uses). One per broker address; it
 * opens many connections.
 */
export interface RequestQueue {
  /** A description for logs and errors, without credentials. */
  readonly description: string;
  /**
   * Opens connection `conn`: its reply channel starts delivering to `handlers`.
   *
   * @throws SwitchboardError `CONNECTION_FAILED` when the broker is unreachable or no worker serves the queue
   */
  open(conn: string, handlers: ReplyHandlers): Promise<ClientConnection>;
}

/** One open connection, client side. */
export interface ClientConnection {
  /**
   * Appends a record for the pool (`worker` undefined) or for one worker's inbox. Resolves once the
   * broker stored it. Records submitted in order are stored in order.
   */
  submit(record: QueueRecord, worker: string | undefined): Promise<void>;
  /** Total bytes ({@link recordBytes}) of this connection's records that a worker has consumed. */
  consumedByWorker(): Promise<number>;
  /** `true` while `worker` sends heartbeats (it is alive as far as the broker knows). */
  workerAlive(worker: string): Promise<boolean>;
  /** Stops the reply channel and forgets the connection's broker state. Idempotent. */
  close(): Promise<void>;
}

/** Handlers of a worker's consumption. Never throw. */
export interface WorkerHandlers {
  /** Records from the pool and from this worker's inbox, in broker order per source. */
  onRecord: (received: ReceivedRecord) => void;
  /** Broker trouble (reads are retried). */
  onError: (error: Error) => void;
  /**
   * A dead worker's connection is now this worker's (its record ownership moved here): open it even if
   * no record of it is pending, so its client is re-bound. Optional.
   */
  onAdopted?: ((conn: string, from: string) => void) | undefined;
  /**
   * The pool declared this worker dead while it lived (another worker adopted its connections): it
   * stopped reading. Its connections must end without a word to their clients. Optional.
   */
  onFenced?: ((error: Error) => void) | undefined;
}

/** Result of {@link WorkerQueue.claim}. */
export type ClaimResult =
  | { owner: 'self'; adoptedFrom?: string | undefined }
  | { owner: 'other'; worker: string; alive: boolean }
  | { owner: 'unknown' };

/**
 * The worker side of a request queue (what `listen('redis://…')` and `switchboard worker` use): one
 * worker identity in a pool.
 */
export interface WorkerQueue {
  /** This worker's id (unique in the pool; it names the worker in errors). */
  readonly workerId: string;
  /** A description for logs and errors, without credentials. */
  readonly description: string;
  /** Joins the pool: heartbeats start, records flow to `handlers`. */
  start(handlers: WorkerHandlers): Promise<void>;
  /** Stops taking new records (backpressure); records already read are still delivered. */
  pause(): void;
  /** Takes records again after {@link pause}. */
  resume(): void;
  /**
   * Gives connection `conn` an owner, unless it has one: this worker, or a live worker of the pool that
   * serves fewer connections (the records then go to that worker). Else says who owns it.
   */
  claim(conn: string): Promise<ClaimResult>;
  /** Caches what a successor needs to re-initialize the connection's backend. */
  remember(conn: string, state: Partial<ConnectionState>): void;
  /** What was cached for `conn`. */
  connectionState(conn: string): Promise<ConnectionState>;
  /** Records tool annotations seen in a `tools/list` result (shared by the pool). */
  noteTools(safety: Record<string, ToolSafety>): void;
  /** What the pool knows about a tool's re-run safety. */
  toolSafety(name: string): Promise<ToolSafety | undefined>;
  /** Depth and pending counts (for metrics). */
  stats(): Promise<QueueStats>;
  /** Moves a record read from the pool to the inbox of `worker` (the connection's owner). */
  forward(received: ReceivedRecord, worker: string): Promise<void>;
  /**
   * Appends a record to the reply channel of `record.conn`; `false` when the client is gone. With
   * `settles`, the record of that handle (the request this record answers) is acknowledged in the same
   * step — atomically where the broker can — whether or not the client is still there.
   */
  reply(record: QueueRecord, settles?: string): Promise<boolean>;
  /** The record was handled: the broker may forget it. Batched; never throws. */
  ack(handle: string): void;
  /** Reports bytes of `conn`'s records this worker consumed (the client's flow-control window). */
  consumed(conn: string, bytes: number): void;
  /** Total bytes of replies the client of `conn` has consumed. */
  consumedByClient(conn: string): Promise<number>;
  /** Forgets the broker state of a closed connection. */
  release(conn: string): Promise<void>;
  /** `true` while the broker is reachable (for readiness). */
  readonly reachable: boolean;
  /** Leaves the pool: stops reading and heartbeats, closes broker connections. Idempotent. */
  close(): Promise<void>;
}
