import type { JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo } from '../transport.js';

/**
 * Messages held in arrival order until their handler is known, at most `max`: past that they are
 * dropped and `onOverflow` is told once.
 */
export class HeldMessages {
  readonly #items: [JSONRPCMessage, MessageExtraInfo | undefined][] = [];
  readonly #max: number;
  readonly #onOverflow: () => void;
  #dropped = 0;

  /**
   * @param max - most messages held
   * @param onOverflow - called once, for the first message dropped
   */
  constructor(max: number, onOverflow: () => void) {
    this.#max = max;
    this.#onOverflow = onOverflow;
  }

  /** Holds one message (an `onmessage` handler). */
  readonly hold = (message: JSONRPCMessage, extra?: MessageExtraInfo): void => {
    if (this.#items.length < this.#max) this.#items.push([message, extra]);
    else if (this.#dropped++ === 0) this.#onOverflow();
  };

  get size(): number {
    return this.#items.length;
  }

  /** Hands every held message to `handler`, in order; a throwing handler is reported and the rest go on. */
  release(
    handler: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined,
    onError: (error: unknown) => void,
  ): void {
    const items = this.#items.splice(0);
    for (const [message, extra] of items) {
      try {
        handler?.(message, extra);
      } catch (error) {
        onError(error);
      }
    }
  }
}
