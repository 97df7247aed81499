import { randomUUID } from 'node:crypto';
import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { invalidMessageReason, type JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, Transport } from '../transport.js';
import { FlowSender } from './flow-sender.js';
import { messageText } from './message-text.js';
import type { ClientConnection, QueueRecord, RequestQueue } from './queue-types.js';

/** Options of {@link QueueClientTransport}. */
export interface QueueClientOptions {
  /**
   * The connection id (default: a random UUID). A fixed id lets another process re-attach to the same
   * connection — its reply channel and its worker — after this one died.
   */
  connectionId?: string | undefined;
  /** Bytes stored on the broker and not yet consumed by the worker before `send()` waits (default 8 MiB). */
  windowBytes?: number | undefined;
  /** Bytes that may wait in memory behind a full window (default 64 MiB). */
  maxQueuedBytes?: number | undefined;
  /** Largest message accepted from the worker, in bytes (default 32 MiB). */
  maxMessageBytes?: number | undefined;
  /** Worker to send to from the start (re-attaching to a connection that is already bound). */
  worker?: string | undefined;
  /** How long `start()` waits for a worker to accept the connection, in ms (default 10,000). */
  acceptTimeoutMs?: number | undefined;
  /**
   * How often the serving worker's heartbeat is checked, in ms (default 2,000; 0 = never). When it is
   * gone, the connection is announced to the pool again, so a live worker adopts it.
   */
  watchMs?: number | undefined;
}

const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * The client side of MCP over a request queue (`connect('redis://host/0?stream=NAME')`): each message
 * is one queue record carrying a whole JSON-RPC frame; the first goes to the pool, and once a worker
 * claimed the connection (a `bind` record on the reply channel) everything goes to that worker's inbox,
 * so one connection (a 2025-era session) stays on one worker. Answers arrive on the connection's own
 * reply channel, in order.
 *
 * `send()` resolves once the broker stored the message, and waits while the worker has not consumed
 * `windowBytes` of what was sent (backpressure through the broker).
 *
 * @example
 * ```ts
 * await client.connect(connect('redis://127.0.0.1:6379/0?stream=mcp:everything'));
 * ```
 */
export class QueueClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  /** The connection id on the queue. */
  readonly connectionId: string;
  readonly #queue: RequestQueue;
  readonly #options: QueueClientOptions;
  readonly #maxMessageBytes: number;
  #connection: ClientConnection | undefined;
  #sender: FlowSender | undefined;
  #worker: string | undefined;
  #state: 'idle' | 'starting' | 'open' | 'closed' = 'idle';

  /**
   * @param queue - the broker side (e.g. a Redis request queue)
   * @param options - connection id, flow-control window, limits
   */
  constructor(queue: RequestQueue, options: QueueClientOptions = {}) {
    this.#queue = queue;
    this.#options = options;
    this.connectionId = options.connectionId ?? randomUUID();
    this.#worker = options.worker;
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** The worker serving this connection, once one claimed it. */
  get worker(): string | undefined {
    return this.#worker;
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new SwitchboardError('ALREADY_STARTED', 'Transport already started');
    this.#state = 'starting';
    let connection: ClientConnection;
    try {
      connection = await this.#queue.open(this.connectionId, {
        onRecord: this.#onRecord,
        onError: this.#report,
      });
    } catch (error) {
      this.#state = 'closed';
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
    // close() may have been called while opening.
    if (this.#state !== 'starting') {
      await connection.close();
      throw new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed while connecting');
    }
    this.#connection = connection;
    try {
      await this.#handshake(connection);
    } catch (error) {
      this.#state = 'closed';
      await connection.close().catch(() => undefined);
      throw error;
    }
    this.#sender = new FlowSender({
      submit: (record) => connection.submit(record, this.#worker),
      consumed: () => connection.consumedByWorker(),
      windowBytes: this.#options.windowBytes,
      maxQueuedBytes: this.#options.maxQueuedBytes,
    });
    this.#state = 'open';
    this.#flushEarly();
    const watch = this.#options.watchMs ?? 2_000;
    if (watch > 0) {
      this.#watchdog = setInterval(() => this.#checkWorker(connection), watch);
      this.#watchdog.unref();
    }
  }

  #watchdog: NodeJS.Timeout | undefined;
  #checking = false;

  /** The serving worker died and nobody re-bound us yet: ask the pool for a new one. */
  #checkWorker(connection: ClientConnection): void {
    const worker = this.#worker;
    if (this.#checking || worker === undefined || this.#state !== 'open') return;
    this.#checking = true;
    connection
      .workerAlive(worker)
      .then(async (alive) => {
        if (alive || this.#worker !== worker || this.#state !== 'open') return;
        await connection.submit({ type: 'open', conn: this.connectionId }, undefined);
      })
      .catch(() => undefined)
      .finally(() => (this.#checking = false));
  }

  /** Announces the connection and waits until a worker claimed it (its `bind`). */
  async #handshake(connection: ClientConnection): Promise<void> {
    const ms = this.#options.acceptTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve, reject) => {
      this.#onBound = resolve;
      timer = setTimeout(
        () =>
          reject(
            new SwitchboardError(
              'CONNECTION_FAILED',
              `No worker accepted the connection within ${ms} ms (${this.#queue.description})`,
            ),
          ),
        ms,
      );
    });
    try {
      await connection.submit({ type: 'open', conn: this.connectionId }, this.#worker);
      await bound;
    } finally {
      clearTimeout(timer);
      this.#onBound = undefined;
    }
  }

  #onBound: (() => void) | undefined;

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#state !== 'open') {
      return Promise.reject(
        this.#state === 'closed'
          ? new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed')
          : new SwitchboardError('NOT_STARTED', 'Transport not started; call start() before send()'),
      );
    }
    const data = messageText(message);
    return (this.#sender as FlowSender).send({ type: 'message', conn: this.connectionId, data });
  }

  /** Ends the connection: the worker is told (its server transport closes), the reply channel goes. */
  async close(): Promise<void> {
    await this.#end(true);
  }

  async #end(tellPeer: boolean, reason?: string): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#watchdog);
    const sender = this.#sender;
    const connection = this.#connection;
    try {
      if (sender && connection) {
        await sender.flushed();
        sender.fail(new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed'));
        if (tellPeer) {
          await connection
            .submit({ type: 'close', conn: this.connectionId, reason }, this.#worker)
            .catch(() => undefined);
        }
      }
      await connection?.close().catch(this.#report);
    } finally {
      try {
        this.onclose?.();
      } catch (error) {
        this.#report(toSwitchboardError(error));
      }
    }
  }

  /** Replies that arrived while starting (left unread by a predecessor on a re-attached connection). */
  #early: string[] | undefined;

  /**
   * Delivers what arrived while starting, one turn after `start()` resolved: whoever started this
   * transport has then started its other side too (a relay starts the backend first).
   */
  #flushEarly(): void {
    const early = this.#early;
    this.#early = undefined;
    if (early === undefined) return;
    setImmediate(() => {
      for (const data of early) if (this.#state === 'open') this.#deliver(data);
    });
  }

  readonly #onRecord = (record: QueueRecord): void => {
    if (this.#state === 'closed') return;
    if (record.type === 'message' && (this.#state === 'starting' || this.#early !== undefined)) {
      if ((this.#early ??= []).length < 10_000) this.#early.push(record.data);
      else this.#report(new SwitchboardError('WRITE_FAILED', 'Too many replies arrived while starting'));
      return;
    }
    switch (record.type) {
      case 'bind':
        this.#worker = record.worker;
        this.#onBound?.();
        return;
      case 'open':
        return;
      case 'close':
        void this.#end(false, record.reason);
        return;
      case 'message':
        this.#deliver(record.data);
        return;
    }
  };

  #deliver(data: string): void {
    if (data.length > this.#maxMessageBytes) {
      this.#report(
        new SwitchboardError(
          'FRAME_TOO_LARGE',
          `Message of ${data.length} bytes from the worker exceeds ${this.#maxMessageBytes}`,
        ),
      );
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch (cause) {
      this.#report(new SwitchboardError('PARSE_ERROR', 'A queue record is not valid JSON', { cause }));
      return;
    }
    const reason = invalidMessageReason(message);
    if (reason !== undefined) {
      this.#report(new SwitchboardError('INVALID_MESSAGE', `Invalid message from the worker: ${reason}`));
      return;
    }
    try {
      this.onmessage?.(message as JSONRPCMessage);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  readonly #report = (error: Error): void => {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  };
}
