import type { JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, PeerInfo, Transport, TransportSendOptions } from '../transport.js';
import {
  enableRawFrames,
  RAW_FRAMES,
  RAW_WRITES,
  writesRaw,
  type RawFrameScope,
} from '../framing/raw-frame-mode.js';
import { InflightTracker } from './socket-inflight.js';

/** A transport that knows its peer (socket and WebSocket transports). */
export interface PeerAwareTransport extends Transport {
  readonly peer: PeerInfo | undefined;
}

/**
 * What a socket or WebSocket listener hands to `onConnection`: the connection's own transport, wrapped
 * so the listener can see which requests are in flight and drain the connection gracefully on close.
 *
 * It forwards everything to the underlying transport (available as {@link transport}); callbacks are
 * re-exposed, never patched onto the inner object.
 *
 * @example
 * ```ts
 * await listen('tls://0.0.0.0:7443', {
 *   tls: { certFile, keyFile, caFile, requestCert: true },
 *   onConnection: (t) => {
 *     const who = (t as AcceptedConnection).peerCertificateSubject?.CN;
 *     void createServer(who).connect(t);
 *   },
 * });
 * ```
 */
export class AcceptedConnection<T extends PeerAwareTransport = PeerAwareTransport> implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  readonly #inner: T;
  readonly #inflight = new InflightTracker();

  /** @param inner - the connection's unstarted transport */
  constructor(inner: T) {
    this.#inner = inner;
    inner.onmessage = (message, extra) => {
      this.#inflight.received(message);
      this.onmessage?.(message, extra);
    };
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => {
      this.#inflight.clear();
      this.onclose?.();
    };
  }

  /** The underlying transport (a `SocketTransport` or `WebSocketTransport`). */
  get transport(): T {
    return this.#inner;
  }

  /** Raw-frame mode reaches the connection's transport. */
  [RAW_FRAMES](scope?: RawFrameScope): void {
    enableRawFrames(this.#inner, scope);
  }

  /** Whether the connection's transport writes raw. */
  [RAW_WRITES](): boolean {
    return writesRaw(this.#inner);
  }

  /** Remote address and, for verified mTLS clients, the certificate subject and fingerprint. */
  get peer(): PeerInfo | undefined {
    return this.#inner.peer;
  }

  /** Subject of the client's verified certificate (mTLS), e.g. `{ CN: 'alice', O: 'Example' }`. */
  get peerCertificateSubject(): Record<string, string | string[]> | undefined {
    return this.#inner.peer?.certificateSubject;
  }

  /** `true` when no request is waiting for a response in either direction. */
  get idle(): boolean {
    return this.#inflight.idle;
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    return this.#inflight.whenIdle();
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  set sessionId(value: string | undefined) {
    this.#inner.sessionId = value;
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.#inflight.sent(message);
    return this.#inner.send(message, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }
}
