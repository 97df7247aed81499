import { SwitchboardError } from '../errors.js';
import type { JSONRPCMessage } from '../protocol/messages.js';
import {
  enableRawFrames,
  RAW_FRAMES,
  RAW_WRITES,
  widerScope,
  writesRaw,
  type RawFrameScope,
} from '../framing/raw-frame-mode.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';

/**
 * A transport whose real transport is created by `factory` when `start()` is called. Callbacks installed
 * on this object are forwarded from the inner one, so it can be handed to `Client.connect()` before the
 * connection target is known or reachable (e.g. a `memory:` name that is listened on later).
 */
export class LazyTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  readonly #factory: () => Promise<Transport>;
  #inner: Transport | undefined;
  #started = false;
  #closed = false;
  #rawFrames: RawFrameScope | undefined;

  /** @param factory - creates the unstarted inner transport */
  constructor(factory: () => Promise<Transport>) {
    this.#factory = factory;
  }

  get sessionId(): string | undefined {
    return this.#inner?.sessionId;
  }

  async start(): Promise<void> {
    if (this.#started) throw new SwitchboardError('ALREADY_STARTED', 'Transport already started');
    this.#started = true;
    const inner = await this.#factory();
    if (this.#closed) {
      await inner.close();
      throw new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed while connecting');
    }
    this.#inner = inner;
    if (this.#rawFrames) enableRawFrames(inner, this.#rawFrames);
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => {
      this.#closed = true;
      this.onclose?.();
    };
    await inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#inner === undefined || this.#closed) {
      return Promise.reject(
        new SwitchboardError(
          this.#closed ? 'TRANSPORT_CLOSED' : 'NOT_STARTED',
          this.#closed ? 'Transport closed' : 'Transport not started',
        ),
      );
    }
    return this.#inner.send(message, options);
  }

  async close(): Promise<void> {
    if (this.#inner) return this.#inner.close();
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }

  setProtocolVersion(version: string): void {
    this.#inner?.setProtocolVersion?.(version);
  }

  /** Whether the transport (once it exists) writes raw. */
  [RAW_WRITES](): boolean {
    return this.#inner !== undefined && writesRaw(this.#inner);
  }

  /** Raw-frame mode, for the transport once it exists. */
  [RAW_FRAMES](scope: RawFrameScope = 'all'): void {
    this.#rawFrames = widerScope(this.#rawFrames, scope);
    if (this.#inner) enableRawFrames(this.#inner, this.#rawFrames);
  }
}
