import { toSwitchboardError, type SwitchboardError } from '../errors.js';
import type { JSONRPCMessage } from '../protocol/messages.js';

/**
 * Delivers incoming messages in order, one per microtask, each scheduled only after the previous
 * delivery returned.
 *
 * Why: one socket read can carry several messages, e.g. the last progress notification and the
 * response of the same request. The SDK handles a notification one microtask after receiving it but a
 * response at once; delivering both back-to-back let the response remove the progress handler before
 * the notification reached it, and the last progress update was lost. Chaining puts whatever the SDK
 * queued while handling one message ahead of the next message.
 *
 * The queue holds at most what one read decoded (it drains before the event loop reads again).
 */
export class Inbox {
  readonly #deliver: (message: JSONRPCMessage) => void;
  readonly #onFault: ((error: SwitchboardError) => void) | undefined;
  #queue: JSONRPCMessage[] = [];
  #head = 0;
  #scheduled = false;

  /**
   * @param deliver - called once per message, in arrival order
   * @param onFault - receives what `deliver` threw (delivery goes on with the next message)
   */
  constructor(deliver: (message: JSONRPCMessage) => void, onFault?: (error: SwitchboardError) => void) {
    this.#deliver = deliver;
    this.#onFault = onFault;
  }

  /** Queues a message for delivery. */
  push(message: JSONRPCMessage): void {
    this.#queue.push(message);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#next);
    }
  }

  /** Drops everything not yet delivered. */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
  }

  readonly #next = (): void => {
    const message = this.#queue[this.#head];
    if (message === undefined) {
      this.#scheduled = false;
      return;
    }
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    // A throwing delivery must neither escape the microtask nor stall the queue.
    try {
      this.#deliver(message);
    } catch (error) {
      try {
        this.#onFault?.(toSwitchboardError(error));
      } catch {
        // Nothing more to tell.
      }
    }
    // Scheduled after the delivery returned: what it queued runs before the next message.
    queueMicrotask(this.#next);
  };
}
