import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  invalidMessageReason,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport } from '../transport.js';
import { InboundGate } from '../transports/http/server/inbound-gate.js';
import { FlowSender } from './flow-sender.js';
import { messageText } from './message-text.js';
import { recordBytes, type ConnectionState, type ReceivedRecord, type WorkerQueue } from './queue-types.js';
import { mayRerun, toolSafetyOf } from './rerun-policy.js';

/** Listener-wide settings a server transport uses. */
export interface QueueServerContext {
  queue: WorkerQueue;
  windowBytes?: number | undefined;
  maxQueuedBytes?: number | undefined;
  maxMessageBytes: number;
  /** Bound on messages held before `start()`. */
  maxQueuedBeforeStart: number;
  /** Re-run every request a dead worker had started, not only the safe ones. */
  rerunUnsafe: boolean;
  /** Told of each record reclaimed from a dead worker: re-run, or answered with an error. */
  onReclaimed?: ((outcome: 'rerun' | 'refused') => void) | undefined;
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
  /** Broker handles (and methods) of requests whose response is still due. */
  readonly #pending = new Map<RequestId, { handle: string; method: string }>();
  #lastActivity = Date.now();
  /** Records held back while the backend is re-initialized or a reclaimed record is decided. */
  #held: ReceivedRecord[] | undefined;
  /** The id of our own re-initialize request, whose answer stays here. */
  #reinit: { id: string; done: () => void } | undefined;

  /** @internal Created by the queue listener. */
  constructor(connectionId: string, ctx: QueueServerContext) {
    this.connectionId = connectionId;
    this.sessionId = connectionId;
    this.#ctx = ctx;
    this.#gate = new InboundGate(ctx.maxQueuedBeforeStart, (m, extra) => this.#handOver(m, extra));
    this.#sender = new FlowSender({
      submit: (record, settles) =>
        ctx.queue.reply(record, settles).then((delivered) => {
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
    if (this.#reinit !== undefined && isResponse(message) && message.id === this.#reinit.id) {
      this.#reinit.done();
      return Promise.resolve();
    }
    const pending =
      isResponse(message) && message.id !== undefined ? this.#pending.get(message.id) : undefined;
    if (pending !== undefined) {
      this.#pending.delete((message as { id: RequestId }).id);
      if (pending.method === 'tools/list' && 'result' in message) {
        this.#ctx.queue.noteTools(toolSafetyOf(message.result));
      }
    }
    // The request is acknowledged with its answer, in the same broker step: a crash before leaves it
    // reclaimable, and a stored answer never leaves it pending.
    return this.#sender.send(
      { type: 'message', conn: this.connectionId, data: messageText(message) },
      pending?.handle,
    );
  }

  close(): Promise<void> {
    return this.#end(true);
  }

  /** @internal Hands one record of this connection over (called by the listener, in order). */
  receive(received: ReceivedRecord): void {
    if (this.#held !== undefined) {
      this.#held.push(received);
      return;
    }
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
    if (isRequest(message) && received.reclaimedFrom !== undefined) {
      this.#decideReclaimed(message, received, received.reclaimedFrom);
      return;
    }
    this.#accept(message, handle, record.data);
  }

  #accept(message: JSONRPCMessage, handle: string, data: string): void {
    if (isRequest(message) && !this.#gate.closed) {
      const previous = this.#pending.get(message.id);
      if (previous !== undefined) this.#ctx.queue.ack(previous.handle);
      this.#pending.set(message.id, { handle, method: message.method });
      if (message.method === 'initialize') this.#ctx.queue.remember(this.connectionId, { initialize: data });
    } else {
      this.#ctx.queue.ack(handle);
      if (message.method === 'notifications/initialized') {
        this.#ctx.queue.remember(this.connectionId, { initialized: true });
      }
    }
    this.#gate.receive(message, undefined);
  }

  /** A request a dead worker had started: run it again where safe, else answer with an error. */
  #decideReclaimed(
    message: JSONRPCMessage & { id: RequestId; method: string },
    received: ReceivedRecord,
    dead: string,
  ): void {
    this.#hold();
    mayRerun(message, this.#ctx.rerunUnsafe, (tool) => this.#ctx.queue.toolSafety(tool))
      .then(({ rerun, why }) => {
        this.#ctx.onReclaimed?.(rerun ? 'rerun' : 'refused');
        if (rerun) {
          this.#accept(message, received.handle, (received.record as { data: string }).data);
          return;
        }
        const error = new SwitchboardError(
          'WORKER_LOST',
          `Worker ${dead} died while handling "${message.method}"; not run again: ${why}`,
          { details: { worker: dead, requestId: message.id } },
        );
        this.#pending.set(message.id, { handle: received.handle, method: message.method });
        this.send(errorResponse(message.id, toJsonRpcError(error))).catch(this.#report);
      })
      .catch((error: unknown) => this.#report(toSwitchboardError(error)))
      .finally(() => this.#release());
  }

  /**
   * @internal Re-initializes the backend behind this connection after it moved here from a dead worker
   * (or a restart): replays the client's cached `initialize` (its answer stays here) and
   * `notifications/initialized`, holding the client's records back until then.
   */
  reinitialize(state: Promise<ConnectionState>): void {
    this.#hold();
    const run = async (): Promise<void> => {
      const { initialize, initialized } = await state;
      if (initialize === undefined || this.#gate.closed) return;
      const request = this.#parse(initialize);
      if (request === undefined || !isRequest(request)) return;
      const id = `switchboard-reinitialize-${this.connectionId}`;
      const answered = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 30_000);
        this.#reinit = { id, done: () => (clearTimeout(timer), resolve()) };
      });
      this.#gate.receive({ ...request, id }, undefined);
      await answered;
      this.#reinit = undefined;
      if (initialized) this.#gate.receive({ jsonrpc: '2.0', method: 'notifications/initialized' }, undefined);
    };
    run()
      .catch((error: unknown) => this.#report(toSwitchboardError(error)))
      .finally(() => this.#release());
  }

  #holds = 0;

  #hold(): void {
    this.#holds++;
    this.#held ??= [];
  }

  #release(): void {
    if (--this.#holds > 0) return;
    const held = this.#held ?? [];
    this.#held = undefined;
    // A released record may start another hold: `receive` then keeps the rest behind it, in order.
    for (const r of held) this.receive(r);
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
    if (!keepPending) for (const { handle } of this.#pending.values()) queue.ack(handle);
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
