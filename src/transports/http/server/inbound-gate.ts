import { SwitchboardError } from '../../../errors.js';
import type { JSONRPCMessage } from '../../../protocol/messages.js';
import type { MessageExtraInfo } from '../../../transport.js';

/**
 * The lifecycle every HTTP server-side transport shares: messages that arrive before `start()` wait in a
 * bounded queue (the SDK installs its callbacks first, then starts); once open they are delivered at
 * once; once closed they are dropped and sends are refused.
 */
export class InboundGate {
  #state: 'idle' | 'open' | 'closed' = 'idle';
  #inbox: [JSONRPCMessage, MessageExtraInfo | undefined][] = [];
  readonly #maxQueued: number;
  readonly #deliver: (message: JSONRPCMessage, extra: MessageExtraInfo | undefined) => void;

  /**
   * @param maxQueued - most messages held before `start()` (see {@link saturated})
   * @param deliver - hands one message to the transport's `onmessage`
   */
  constructor(
    maxQueued: number,
    deliver: (message: JSONRPCMessage, extra: MessageExtraInfo | undefined) => void,
  ) {
    this.#maxQueued = maxQueued;
    this.#deliver = deliver;
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  get idle(): boolean {
    return this.#state === 'idle';
  }

  /** `true` when the queue before `start()` is full: the caller refuses more. */
  get saturated(): boolean {
    return this.#state === 'idle' && this.#inbox.length >= this.#maxQueued;
  }

  /** Opens the gate and delivers what waited. Rejects with `ALREADY_STARTED` the second time. */
  start(): Promise<void> {
    if (this.#state !== 'idle') {
      return Promise.reject(new SwitchboardError('ALREADY_STARTED', 'Transport already started'));
    }
    this.#state = 'open';
    const queued = this.#inbox;
    this.#inbox = [];
    for (const [message, extra] of queued) this.#deliver(message, extra);
    return Promise.resolve();
  }

  /** Queues (before start), delivers (open) or drops (closed) one inbound message. */
  receive(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    if (this.#state === 'idle') this.#inbox.push([message, extra]);
    else if (this.#state === 'open') this.#deliver(message, extra);
  }

  /** Why a send cannot happen now (`NOT_STARTED` / `TRANSPORT_CLOSED`), or `undefined` when open. */
  sendRefusal(closedMessage: string): SwitchboardError | undefined {
    if (this.#state === 'open') return undefined;
    return this.#state === 'closed'
      ? new SwitchboardError('TRANSPORT_CLOSED', closedMessage)
      : new SwitchboardError('NOT_STARTED', 'Transport not started; call start() before send()');
  }

  /** Closes the gate; `false` when it was already closed (the caller's close is then a no-op). */
  close(): boolean {
    if (this.#state === 'closed') return false;
    this.#state = 'closed';
    this.#inbox = [];
    return true;
  }
}
