import { SwitchboardError } from '../errors.js';
import type { JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';

/**
 * One half of an in-process linked pair. Messages sent before the other half starts are queued (bounded)
 * and delivered, in order, when it starts. Closing either half closes both.
 *
 * Messages are passed by reference, not copied: what you send is what the peer receives.
 */
export class InMemoryTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  sessionId?: string | undefined;

  #peer: InMemoryTransport | undefined;
  #started = false;
  #closed = false;
  #queue: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined }[] = [];
  readonly #maxQueued: number;

  private constructor(maxQueued: number) {
    this.#maxQueued = maxQueued;
  }

  /**
   * Creates two linked transports: what one sends, the other receives.
   *
   * @param options - `maxQueuedMessages`: bound on messages waiting for an unstarted peer (default 10,000)
   * @example
   * ```ts
   * const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
   * await Promise.all([client.connect(clientSide), server.connect(serverSide)]);
   * ```
   */
  static createLinkedPair(
    options: { maxQueuedMessages?: number } = {},
  ): [InMemoryTransport, InMemoryTransport] {
    const max = options.maxQueuedMessages ?? 10_000;
    const a = new InMemoryTransport(max);
    const b = new InMemoryTransport(max);
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  /** `true` once either half closed. */
  get closed(): boolean {
    return this.#closed;
  }

  start(): Promise<void> {
    if (this.#started) {
      return Promise.reject(new SwitchboardError('ALREADY_STARTED', 'Transport already started'));
    }
    this.#started = true;
    const queued = this.#queue;
    this.#queue = [];
    for (const { message, extra } of queued) this.#receive(message, extra);
    return Promise.resolve();
  }

  /**
   * Delivers `message` to the peer. `options.authInfo` is a test seam (as in the SDK): it arrives as
   * `extra.authInfo` on the other side.
   */
  send(
    message: JSONRPCMessage,
    options?: TransportSendOptions & Pick<MessageExtraInfo, 'authInfo'>,
  ): Promise<void> {
    const peer = this.#peer;
    if (this.#closed || peer === undefined || peer.#closed) {
      return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed'));
    }
    const extra = options?.authInfo ? { authInfo: options.authInfo } : undefined;
    if (!peer.#started) {
      if (peer.#queue.length >= peer.#maxQueued) {
        return Promise.reject(
          new SwitchboardError(
            'WRITE_FAILED',
            `Peer not started and ${peer.#maxQueued} messages already queued`,
          ),
        );
      }
      peer.#queue.push({ message, extra });
      return Promise.resolve();
    }
    peer.#receive(message, extra);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const peer = this.#peer;
    this.#queue = [];
    try {
      this.onclose?.();
    } finally {
      void peer?.close();
    }
    return Promise.resolve();
  }

  #receive(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    try {
      this.onmessage?.(message, extra);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
