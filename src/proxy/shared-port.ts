import { SwitchboardError } from '../errors.js';
import type { JSONRPCMessage, RequestId } from '../protocol/messages.js';
import { RAW_WRITES } from '../framing/raw-frame-mode.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';

/** What a port needs from the multiplexer that owns it. */
export interface PortOwner {
  startPort(port: SharedPort): Promise<void>;
  fromPort(port: SharedPort, message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
  closePort(port: SharedPort): void;
  /** Whether the shared backend connection writes framed messages as their bytes. */
  writesRaw?(): boolean;
}

/**
 * One client session's view of a shared backend: a Transport whose ids, progress tokens and
 * server→client requests are translated by the {@link SharedBackend} that created it.
 */
export class SharedPort implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  /** Backend ids of this session's requests in flight. */
  readonly inflight = new Set<number>();
  /** This session's original request id → backend id. */
  readonly byOriginalId = new Map<RequestId, number>();
  /** When this session last sent a request (for routing server→client requests). */
  lastRequestAt = 0;
  /** Requests in flight that can make a server call back (tools/call, prompts/get, …; not lists or ping). */
  callsInflight = 0;
  /** When this session last sent such a request. */
  lastCallAt = 0;
  /** Resource URIs this session subscribed to (the backend confirmed). */
  readonly subscriptions = new Set<string>();
  /** Server→client requests delivered to this session and not answered yet. */
  serverRequests = 0;

  readonly #owner: PortOwner;
  #started = false;
  #closed = false;

  /** @param owner - the multiplexer */
  constructor(owner: PortOwner) {
    this.#owner = owner;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Requests go to the shared backend connection (their id spliced in): raw when it writes raw. */
  [RAW_WRITES](): boolean {
    return this.#owner.writesRaw?.() === true;
  }

  async start(): Promise<void> {
    if (this.#started) throw new SwitchboardError('ALREADY_STARTED', 'Port already started');
    this.#started = true;
    await this.#owner.startPort(this);
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', 'Session closed'));
    return this.#owner.fromPort(this, message, options);
  }

  /** Delivers a message from the backend to this session. */
  deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#closed) return;
    try {
      this.onmessage?.(message, extra);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    try {
      this.#owner.closePort(this);
    } finally {
      this.onclose?.();
    }
    return Promise.resolve();
  }
}
