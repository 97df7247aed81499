import type { ServerResponse } from 'node:http';
import { SwitchboardError, toSwitchboardError } from '../../../errors.js';
import type { JSONRPCMessage } from '../../../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../../transport.js';
import { encodeSseEvent } from '../shared/sse-encoding.js';
import { RESOLVED, SseWriter, type SseWriterOptions } from './sse-writer.js';

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
  #state: 'idle' | 'open' | 'closed' = 'idle';
  #inbox: [JSONRPCMessage, MessageExtraInfo][] = [];

  /**
   * @internal Created by the HTTP listener, which then calls {@link openStream}.
   */
  constructor(sessionId: string, owner: string | undefined, res: ServerResponse, ctx: LegacySessionContext) {
    this.sessionId = sessionId;
    this.owner = owner;
    this.#ctx = ctx;
    this.#writer = new SseWriter(res, { ...ctx.sse, onFailure: this.#report });
    this.#writer.onclose = () => void this.close();
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#state === 'closed';
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
    return this.#state === 'idle' && this.#inbox.length >= this.#ctx.maxQueuedBeforeStart;
  }

  start(): Promise<void> {
    if (this.#state !== 'idle') {
      return Promise.reject(new SwitchboardError('ALREADY_STARTED', 'Transport already started'));
    }
    this.#state = 'open';
    const queued = this.#inbox;
    this.#inbox = [];
    for (const [message, extra] of queued) this.receive(message, extra);
    return Promise.resolve();
  }

  /**
   * Writes a message as an SSE `message` event; resolves when the socket took it (or drained).
   * @throws SwitchboardError `TRANSPORT_CLOSED` once the stream is gone; `SLOW_CONSUMER` for a client
   *   that stopped reading (the session then closes)
   */
  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state !== 'open') {
      return Promise.reject(
        this.#state === 'closed'
          ? new SwitchboardError('TRANSPORT_CLOSED', 'Session closed')
          : new SwitchboardError('NOT_STARTED', 'Transport not started; call start() before send()'),
      );
    }
    return this.#writer.write(encodeSseEvent(JSON.stringify(message)));
  }

  close(): Promise<void> {
    if (this.#state === 'closed') return RESOLVED;
    this.#state = 'closed';
    this.#inbox = [];
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
    if (this.#state === 'idle') {
      this.#inbox.push([message, extra]);
      return;
    }
    if (this.#state !== 'open') return;
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
