import { SwitchboardError, toSwitchboardError } from '../errors.js';
import {
  invalidMessageReason,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport } from '../transport.js';
import { InboundGate } from '../transports/http/server/inbound-gate.js';
import { FlowSender } from './flow-sender.js';
import { recordBytes, type ReceivedRecord, type WorkerQueue } from './queue-types.js';

/** Listener-wide settings a server transport uses. */
export interface QueueServerContext {
  queue: WorkerQueue;
  windowBytes?: number | undefined;
  maxQueuedBytes?: number | undefined;
  maxMessageBytes: number;
  /** Bound on messages held before `start()`. */
  maxQueuedBeforeStart: number;
  /** Called once when the connection ends, whoever ended it. */
  onEnded: (transport: QueueServerTransport) => void;
}

/**
 * The worker side of one queue connection, handed to the listener's `onConnection`. Requests stay
 * unacknowledged on the broker until their response was stored on the reply channel, so a worker that
 * dies mid-request leaves them for another worker to reclaim; notifications and responses are
 * acknowledged as soon as they were handed over.
 */
export class QueueServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  /** The connection id on the queue. */
  readonly connectionId: string;
  readonly sessionId: string;

  readonly #ctx: QueueServerContext;
  readonly #gate: InboundGate;
  readonly #sender: FlowSender;
  /** Broker handles of requests whose response is still due. */
  readonly #pending = new Map<RequestId, string>();
  #lastActivity = Date.now();

  /** @internal Created by the queue listener. */
  constructor(connectionId: string, ctx: QueueServerContext) {
    this.connectionId = connectionId;
    this.sessionId = connectionId;
    this.#ctx = ctx;
    this.#gate = new InboundGate(ctx.maxQueuedBeforeStart, (m, extra) => this.#handOver(m, extra));
    this.#sender = new FlowSender({
      submit: (record) =>
        ctx.queue.reply(record).then((delivered) => {
          if (!delivered) void this.#end(false);
        }),
      consumed: () => ctx.queue.consumedByClient(connectionId),
      windowBytes: ctx.windowBytes,
      maxQueuedBytes: ctx.maxQueuedBytes,
    });
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#gate.closed;
  }

  /** Requests received and not yet answered. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** When the connection became idle (nothing pending), or `undefined` while busy. @internal */
  idleSince(): number | undefined {
    return this.#pending.size > 0 ? undefined : this.#lastActivity;
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  send(message: JSONRPCMessage): Promise<void> {
    const refusal = this.#gate.sendRefusal('Connection closed');
    if (refusal) return Promise.reject(refusal);
    this.#lastActivity = Date.now();
    const sent = this.#sender.send({
      type: 'message',
      conn: this.connectionId,
      data: JSON.stringify(message),
    });
    if (isResponse(message) && message.id !== undefined) {
      const handle = this.#pending.get(message.id);
      if (handle !== undefined) {
        this.#pending.delete(message.id);
        // Acknowledged only once the answer is stored: a crash before leaves the request reclaimable.
        sent.then(
          () => this.#ctx.queue.ack(handle),
          () => undefined,
        );
      }
    }
    return sent;
  }

  close(): Promise<void> {
    return this.#end(true);
  }

  /** @internal Hands one record of this connection over (called by the listener, in order). */
  receive(received: ReceivedRecord): void {
    const { record, handle } = received;
    this.#lastActivity = Date.now();
    if (record.type === 'close') {
      this.#ctx.queue.ack(handle);
      void this.#end(false);
      return;
    }
    if (record.type !== 'message') {
      this.#ctx.queue.ack(handle);
      return;
    }
    this.#ctx.queue.consumed(this.connectionId, recordBytes(record));
    const message = this.#parse(record.data);
    if (message === undefined) {
      this.#ctx.queue.ack(handle);
      return;
    }
    if (isRequest(message) && !this.#gate.closed) {
      const previous = this.#pending.get(message.id);
      if (previous !== undefined) this.#ctx.queue.ack(previous);
      this.#pending.set(message.id, handle);
    } else this.#ctx.queue.ack(handle);
    this.#gate.receive(message, undefined);
  }

  /** @internal The listener is going away: close without telling the client (another worker may adopt it). */
  detach(): Promise<void> {
    return this.#end(false, true);
  }

  async #end(tellPeer: boolean, keepPending = false): Promise<void> {
    if (!this.#gate.close()) return;
    await this.#sender.flushed();
    this.#sender.fail(new SwitchboardError('TRANSPORT_CLOSED', 'Connection closed'));
    const queue = this.#ctx.queue;
    if (!keepPending) for (const handle of this.#pending.values()) queue.ack(handle);
    this.#pending.clear();
    try {
      if (tellPeer) {
        await queue.reply({ type: 'close', conn: this.connectionId }).catch(this.#report);
      }
      if (!keepPending) await queue.release(this.connectionId).catch(this.#report);
    } finally {
      try {
        this.#ctx.onEnded(this);
      } finally {
        try {
          this.onclose?.();
        } catch (error) {
          this.#report(toSwitchboardError(error));
        }
      }
    }
  }

  #parse(data: string): JSONRPCMessage | undefined {
    if (data.length > this.#ctx.maxMessageBytes) {
      this.#report(
        new SwitchboardError(
          'FRAME_TOO_LARGE',
          `Message of ${data.length} bytes exceeds ${this.#ctx.maxMessageBytes}`,
        ),
      );
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch (cause) {
      this.#report(new SwitchboardError('PARSE_ERROR', 'A queue record is not valid JSON', { cause }));
      return undefined;
    }
    const reason = invalidMessageReason(value);
    if (reason !== undefined) {
      this.#report(new SwitchboardError('INVALID_MESSAGE', `Invalid message: ${reason}`));
      return undefined;
    }
    return value as JSONRPCMessage;
  }

  #handOver(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    try {
      this.onmessage?.(message, extra);
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
