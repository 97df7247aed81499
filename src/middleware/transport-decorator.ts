import type { JSONRPCMessage } from '../protocol/messages.js';
import {
  enableRawFrames,
  RAW_FRAMES,
  RAW_WRITES,
  writesRaw,
  type RawFrameScope,
} from '../framing/raw-frame-mode.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';

/**
 * Base class of the middleware: wraps an inner transport in a private field and delegates to it. It takes
 * ownership of the inner transport's callbacks (as any user of a transport does) and re-exposes them on
 * itself; it never replaces the inner object's methods. Subclasses override the hooks they need:
 * {@link send} (outgoing), {@link receive} (incoming), {@link handleClose}, {@link start}, {@link close}.
 *
 * Every other member of the Transport contract (`sessionId`, `setProtocolVersion`,
 * `setSupportedProtocolVersions`, `hasPerRequestStream`) passes straight through.
 */
export abstract class TransportDecorator implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  readonly #inner: Transport;

  /** @param inner - the transport to wrap (unstarted); its callbacks now belong to this decorator */
  protected constructor(inner: Transport) {
    this.#inner = inner;
    inner.onmessage = (message, extra) => this.receive(message, extra);
    inner.onclose = () => this.handleClose();
    inner.onerror = (error) => this.reportError(error);
  }

  /** The wrapped transport. */
  protected get inner(): Transport {
    return this.#inner;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  set sessionId(value: string | undefined) {
    this.#inner.sessionId = value;
  }

  get hasPerRequestStream(): boolean {
    return this.#inner.hasPerRequestStream === true;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  /**
   * Raw-frame mode passes through: the inner transport delivers framed messages, which behave as plain
   * ones for a decorator that reads or changes them (a changed message is serialised as JSON).
   */
  [RAW_FRAMES](scope?: RawFrameScope): void {
    enableRawFrames(this.#inner, scope);
  }

  /** Whether the inner transport writes framed messages as their bytes. */
  [RAW_WRITES](): boolean {
    return writesRaw(this.#inner);
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.#inner.setSupportedProtocolVersions?.(versions);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.#inner.send(message, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** A message from the inner transport. Default: pass it on. */
  protected receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.deliver(message, extra);
  }

  /** Hands a message to whoever listens on this decorator. */
  protected deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.onmessage?.(message, extra);
  }

  /** The inner transport closed. Default: report it. Called once (the inner's `onclose` fires once). */
  protected handleClose(): void {
    this.onclose?.();
  }

  /** Reports an out-of-band error through `onerror`, never throwing. */
  protected reportError(error: Error): void {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  }
}
