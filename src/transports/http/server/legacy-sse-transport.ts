import type { ServerResponse } from 'node:http';
import { toSwitchboardError } from '../../../errors.js';
import type { JSONRPCMessage } from '../../../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../../transport.js';
import { encodeSseEvent } from '../shared/sse-encoding.js';
import { RESOLVED, SseWriter, type SseWriterOptions } from './sse-writer.js';
import { InboundGate } from './inbound-gate.js';

/** Listener-wide facilities of a legacy session. */
export interface LegacySessionContext {
  sse: SseWriterOptions;
  maxQueuedBeforeStart: number;
  onEnded: (session: LegacySseTransport) => void;
}

/**
 * The server side of one deprecated HTTP+SSE (2024-11-05) session: the `GET /sse` stream carries what
 * the server sends; the client POSTs to `/messages?sessionId=…`. The session lives as long as its GET
 * stream: when the client disconnects, the transport closes.
 */
export class LegacySseTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string;
  /** Always `'legacy-sse'`. */
  readonly era = 'legacy-sse' as const;
  /** The `clientId` of the authenticated caller that opened the session, if any. */
  readonly owner: string | undefined;

  readonly #ctx: LegacySessionContext;
  readonly #writer: SseWriter;
  readonly #gate: InboundGate;

  /**
   * @internal Created by the HTTP listener, which then calls {@link openStream}.
   */
  constructor(sessionId: string, owner: string | undefined, res: ServerResponse, ctx: LegacySessionContext) {
    this.sessionId = sessionId;
    this.owner = owner;
    this.#ctx = ctx;
    this.#gate = new InboundGate(ctx.maxQueuedBeforeStart, (m, extra) => this.#handOver(m, extra));
    this.#writer = new SseWriter(res, { ...ctx.sse, onFailure: this.#report });
    this.#writer.onclose = () => void this.close();
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#gate.closed;
  }

  /** Sends the stream headers and the `endpoint` event naming the POST URI. @internal */
  openStream(endpoint: string): void {
    this.#writer.open(undefined, encodeSseEvent(endpoint, undefined, 'endpoint'));
  }

  /** Never idle while its GET stream is open (it closes with the stream). @internal */
  idleSince(): number | undefined {
    return undefined;
  }

  /** `true` when the queue before `start()` is full. @internal */
  get saturated(): boolean {
    return this.#gate.saturated;
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  /**
   * Writes a message as an SSE `message` event; resolves when the socket took it (or drained).
   * @throws SwitchboardError `TRANSPORT_CLOSED` once the stream is gone; `SLOW_CONSUMER` for a client
   *   that stopped reading (the session then closes)
   */
  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const refusal = this.#gate.sendRefusal('Session closed');
    if (refusal) return Promise.reject(refusal);
    return this.#writer.write(encodeSseEvent(JSON.stringify(message)));
  }

  close(): Promise<void> {
    if (!this.#gate.close()) return RESOLVED;
    this.#writer.end();
    try {
      this.#ctx.onEnded(this);
    } finally {
      try {
        this.onclose?.();
      } catch (error) {
        this.#report(toSwitchboardError(error));
      }
    }
    return RESOLVED;
  }

  /** Delivers one message POSTed by the client. @internal */
  receive(message: JSONRPCMessage, extra: MessageExtraInfo): void {
    this.#gate.receive(message, extra);
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
