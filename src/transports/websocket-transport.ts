import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { budgetExceededError, type BudgetLease, type BufferBudget } from '../framing/buffer-budget.js';
import { parseFrame, resolveMaxMessageBytes } from '../framing/frame-parser.js';
import type { JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, PeerInfo, Transport, TransportSendOptions } from '../transport.js';
import { answerFrameError } from './frame-error-policy.js';
import {
  closeWebSocket,
  openWebSocket,
  type WebSocketClientOptions,
  type WebSocketCommonOptions,
} from './websocket-connect.js';
import { FrameDeadlines, type FrameDeadlineOptions } from './frame-deadlines.js';
import { guardHandler } from './handler-guard.js';
import {
  closeReasonOf,
  errorReasonOf,
  pingTimeoutReason,
  refusalCloseCode,
} from './websocket-close-reason.js';
import { TurnCork } from './turn-cork.js';
import { Inbox } from './websocket-inbox.js';
import { KeepAlive } from './websocket-keepalive.js';
import { WebSocketSendWindow } from './websocket-send-window.js';

export {
  MCP_SUBPROTOCOL,
  type WebSocketClientOptions,
  type WebSocketCommonOptions,
  type WebSocketConnectSettings,
} from './websocket-connect.js';

/** Default interval of keep-alive pings: 30 s (a peer that misses one whole interval is dropped). */
export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** Default time `close()` waits for the closing handshake: 2 s. */
export const DEFAULT_WS_CLOSE_TIMEOUT_MS = 2_000;

/** Options of a {@link WebSocketTransport} over an accepted socket (what the listener uses). */
export interface AcceptedWebSocketOptions extends WebSocketCommonOptions {
  /** The open server-side socket; the transport owns it from now on. */
  socket: WebSocket;
  /** Facts about the peer (address, verified client certificate). */
  peer?: PeerInfo | undefined;
  /**
   * The connection's raw socket (`req.socket` of the upgrade), read to meter the bytes of a message
   * still arriving, for `bufferBudget` and `frameDeadlines`.
   */
  rawSocket?: Duplex | undefined;
  /**
   * Hold the wire bytes of an incomplete incoming message in this shared budget (approximately: the
   * count restarts at each complete message); a message that does not fit closes the connection with
   * 1013 and `BUFFER_BUDGET_EXCEEDED`. Needs `rawSocket`.
   */
  bufferBudget?: BufferBudget | undefined;
  /** Close with 1008 and `FRAME_TIMEOUT` when the peer sends no complete message in time (needs `rawSocket` for the per-message deadline). */
  frameDeadlines?: FrameDeadlineOptions | undefined;
  /**
   * Stop reading while more than `sendHighWaterMark` bytes sent to the peer are unflushed, so a peer
   * that never reads cannot make us buffer without bound (default false; the listener sets it).
   */
  pauseReadsWhileSendBlocked?: boolean | undefined;
}

type State = 'idle' | 'starting' | 'open' | 'closed';

/**
 * MCP over WebSocket: one JSON-RPC message per text frame, subprotocol `mcp`. A custom transport: no
 * MCP revision standardises WebSocket.
 *
 * Invalid frames follow the stream transports' policy (reported; a broken request is answered with an
 * error, a broken response fails its request); an oversized frame closes the connection with 1009.
 * `send()` waits while more than `sendHighWaterMark` bytes are unflushed; pings detect dead peers.
 *
 * @example
 * ```ts
 * await client.connect(new WebSocketTransport({ url: 'ws://127.0.0.1:8080/mcp' }));
 * ```
 */
export class WebSocketTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  sessionId?: string | undefined;

  readonly #client: WebSocketClientOptions | undefined;
  readonly #maxMessageBytes: number;
  readonly #window: WebSocketSendWindow;
  readonly #pingIntervalMs: number;
  readonly #closeTimeoutMs: number;
  #ws: WebSocket | undefined;
  #state: State = 'idle';
  #closing: Promise<void> | undefined;
  #closeReason: SwitchboardError | undefined;
  #pendingReason: SwitchboardError | undefined;
  #peer: PeerInfo | undefined;
  #extra: MessageExtraInfo | undefined;
  #protocolVersion: string | undefined;
  #keepAlive: KeepAlive | undefined;
  readonly #rawSocket: Duplex | undefined;
  /** Joins the frames sent in one turn into one write (accepted sockets, whose raw socket we hold). */
  readonly #turnCork: TurnCork | undefined;
  readonly #lease: BudgetLease | undefined;
  readonly #deadlines: FrameDeadlines | undefined;
  #pausedByUs = false;
  // One message per microtask, each after the previous delivery returned (see Inbox).
  readonly #inbox = new Inbox(
    (message) => this.#deliver(message),
    (error) => this.#report(error),
  );

  /**
   * @param options - `{ url, … }` for a client, or `{ socket }` to adopt an accepted server-side socket
   * @throws SwitchboardError `INVALID_OPTIONS` for a bad limit or URL scheme
   */
  constructor(options: WebSocketClientOptions | AcceptedWebSocketOptions) {
    this.#maxMessageBytes = resolveMaxMessageBytes(options.maxMessageBytes);
    this.#window = new WebSocketSendWindow(options.sendHighWaterMark, options.maxQueuedBytes);
    this.#pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_WS_CLOSE_TIMEOUT_MS;
    if ('socket' in options) {
      this.#ws = options.socket;
      this.#setPeer(options.peer ?? {});
      this.#rawSocket = options.rawSocket;
      if (this.#rawSocket) this.#lease = options.bufferBudget?.lease();
      if (this.#rawSocket) this.#turnCork = new TurnCork(this.#rawSocket);
      if (options.frameDeadlines) {
        this.#deadlines = new FrameDeadlines(options.frameDeadlines, (reason) => this.#refuse(reason));
      }
      if (options.pauseReadsWhileSendBlocked) this.#window.onPressure = this.#onSendPressure;
      // Hold incoming frames in the kernel until start(): nothing may be delivered before callbacks exist.
      options.socket.pause();
      options.socket.on('error', ignore);
    } else {
      const protocol = URL.canParse(String(options.url)) ? new URL(options.url).protocol : '(unparsable URL)';
      if (protocol !== 'ws:' && protocol !== 'wss:') {
        throw new SwitchboardError(
          'INVALID_OPTIONS',
          `WebSocket URL must be ws:// or wss://, got ${protocol}`,
        );
      }
      this.#client = options;
    }
  }

  /** The underlying `ws` socket, once open (for inspection; do not send on it directly). */
  get socket(): WebSocket | undefined {
    return this.#ws;
  }

  /** Remote address and, for verified TLS peers, the certificate subject and fingerprint. */
  get peer(): PeerInfo | undefined {
    return this.#peer;
  }

  /** Subject of the peer's verified certificate (mTLS on a listener; the server's on a wss client). */
  get peerCertificateSubject(): Record<string, string | string[]> | undefined {
    return this.#peer?.certificateSubject;
  }

  /** Why the transport closed when the peer (not `close()`) ended it. */
  get closeReason(): SwitchboardError | undefined {
    return this.#closeReason;
  }

  /** `true` once closed (by either side). */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** The protocol version negotiated by the SDK, if it told us. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new SwitchboardError(
        'ALREADY_STARTED',
        'Transport already started; start() may be called only once',
      );
    }
    this.#state = 'starting';
    let ws: WebSocket;
    try {
      if (this.#ws) ws = this.#ws;
      else {
        const opening = openWebSocket(this.#client as WebSocketClientOptions, this.#maxMessageBytes);
        this.#ws = opening.socket;
        this.#setPeer(await opening.ready);
        ws = opening.socket;
      }
    } catch (error) {
      this.#state = 'closed';
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
    if (this.#state !== 'starting') {
      ws.terminate();
      throw new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed while connecting');
    }
    this.#ws = ws;
    ws.on('message', this.#onMessage);
    ws.on('error', this.#onError);
    ws.once('close', this.#onClose);
    this.#state = 'open';
    if (ws.readyState !== ws.OPEN) {
      // Adopted socket that died before start(): report the close once start() returned.
      setImmediate(() => this.#peerClosed(new SwitchboardError('TRANSPORT_CLOSED', 'The peer closed')));
      return;
    }
    if (this.#rawSocket && (this.#lease || this.#deadlines)) {
      // Before ws's own listener: a chunk is counted before the message it completes is emitted.
      this.#rawSocket.prependListener('data', this.#onRawData);
      ws.on('ping', this.#onControl);
      ws.on('pong', this.#onControl);
    }
    this.#deadlines?.start();
    ws.resume();
    this.#keepAlive = new KeepAlive(ws, this.#pingIntervalMs, this.#onDead);
    this.#keepAlive.start();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const ws = this.#ws;
    if (this.#state !== 'open' || ws === undefined) {
      return Promise.reject(
        this.#state === 'closed'
          ? this.#closedError()
          : new SwitchboardError('NOT_STARTED', 'Transport not started; call start() before send()'),
      );
    }
    let data: string;
    try {
      data = JSON.stringify(message);
    } catch (cause) {
      return Promise.reject(
        new SwitchboardError('INVALID_MESSAGE', 'Message is not serialisable', { cause }),
      );
    }
    const bytes = Buffer.byteLength(data);
    if (bytes > this.#maxMessageBytes) {
      return Promise.reject(
        new SwitchboardError(
          'FRAME_TOO_LARGE',
          `Message of ${bytes} bytes exceeds the limit of ${this.#maxMessageBytes} bytes (maxMessageBytes)`,
          { details: { size: bytes, limit: this.#maxMessageBytes } },
        ),
      );
    }
    return this.#window.send(
      bytes,
      (done) => {
        this.#turnCork?.beforeWrite();
        ws.send(data, { binary: false }, done);
      },
      (e) => this.#sendFailed(e),
    );
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown(undefined);
    return this.#closing;
  }

  #setPeer(peer: PeerInfo): void {
    this.#peer = peer;
    this.#extra = { peer };
  }

  #closedError(): SwitchboardError {
    const reason = this.#closeReason;
    return new SwitchboardError(
      'TRANSPORT_CLOSED',
      reason ? `Transport closed: ${reason.message}` : 'Transport closed',
      reason ? { cause: reason, details: reason.details } : {},
    );
  }

  #sendFailed(error: Error): SwitchboardError {
    return this.#state === 'closed' ? this.#closedError() : toSwitchboardError(error, 'WRITE_FAILED');
  }

  #peerClosed(reason: SwitchboardError): void {
    this.#closing ??= this.#shutdown(reason);
  }

  /** Ends the connection because of the peer's behaviour (budget spent, deadline passed). */
  #refuse(reason: SwitchboardError): void {
    this.#closing ??= this.#shutdown(reason);
  }

  async #shutdown(reason: SwitchboardError | undefined): Promise<void> {
    this.#closeReason = reason;
    this.#state = 'closed';
    this.#keepAlive?.stop();
    this.#deadlines?.stop();
    this.#rawSocket?.off('data', this.#onRawData);
    this.#lease?.release();
    this.#inbox.clear();
    this.#window.fail(this.#closedError());
    const ws = this.#ws;
    try {
      if (ws) await this.#closeSocket(ws, reason);
    } finally {
      if (reason && reason.code !== 'TRANSPORT_CLOSED') this.#report(reason);
      try {
        this.onclose?.();
      } catch (error) {
        this.#report(toSwitchboardError(error));
      }
    }
  }

  async #closeSocket(ws: WebSocket, reason: SwitchboardError | undefined): Promise<void> {
    ws.off('message', this.#onMessage);
    ws.off('close', this.#onClose);
    ws.on('error', ignore);
    if (ws.readyState === ws.CLOSED) return;
    const refusal = refusalCloseCode(reason);
    if (refusal !== undefined && ws.readyState === ws.OPEN) {
      await closeWebSocket(ws, this.#closeTimeoutMs, refusal.code, refusal.reason);
    } else if (reason !== undefined || ws.readyState !== ws.OPEN) ws.terminate();
    else await closeWebSocket(ws, this.#closeTimeoutMs);
  }

  #report(error: Error): void {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  }

  // ws callbacks are guarded: nothing thrown below may escape into the emitter (and the process).
  readonly #onMessage = guardHandler(
    'WebSocket message handler',
    (data: WebSocket.RawData): void => this.#receive(data),
    (error) => this.#report(error),
  );

  /** Raw bytes of the connection, before ws parses them: what an incomplete message holds. */
  readonly #onRawData = guardHandler(
    'WebSocket data meter',
    (chunk: Buffer | string): void => {
      if (this.#state !== 'open') return;
      const lease = this.#lease;
      if (lease && !lease.resize(lease.held + chunk.length)) {
        this.#refuse(budgetExceededError(lease.budget, { messageKind: 'unknown' }));
        return;
      }
      this.#deadlines?.frameBegun();
    },
    (error) => this.#report(error),
  );

  /** A ping or pong ended: if no data message is under way, nothing is held any more. */
  readonly #onControl = (): void => {
    this.#lease?.release();
    this.#deadlines?.idle();
  };

  /** The outgoing side filled up (`true`) or drained (`false`): stop or resume reading. */
  readonly #onSendPressure = (pressed: boolean): void => {
    const ws = this.#ws;
    if (ws === undefined || this.#state !== 'open') return;
    if (pressed) {
      if (ws.isPaused) return; // someone else paused it; theirs to resume
      ws.pause();
      this.#pausedByUs = true;
    } else if (this.#pausedByUs) {
      this.#pausedByUs = false;
      ws.resume();
    }
  };

  #receive(data: WebSocket.RawData): void {
    if (this.#state !== 'open') return;
    this.#lease?.release();
    this.#deadlines?.frameEnded();
    this.#keepAlive?.touch();
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    // Binary frames are read as UTF-8 JSON too (lenient); text frames are UTF-8-validated by ws.
    parseFrame(buffer.toString('utf8'), {
      onmessage: (m) => this.#inbox.push(m),
      onerror: this.#onFrameError,
    });
  }

  readonly #deliver = (message: JSONRPCMessage): void => {
    if (this.#state !== 'open') return;
    try {
      this.onmessage?.(message, this.#extra);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  };

  readonly #onFrameError = (error: SwitchboardError): void => {
    this.#report(error);
    answerFrameError(error, {
      reply: (message) => {
        this.send(message).catch((e: unknown) => this.#report(toSwitchboardError(e)));
      },
      deliver: (message) => this.#inbox.push(message),
    });
  };

  readonly #onError = guardHandler(
    'WebSocket error handler',
    (error: Error & { code?: string }): void => {
      // ws closes the connection after an error; #onClose reports the close with this reason.
      if (this.#state !== 'closed') this.#pendingReason ??= errorReasonOf(error, this.#maxMessageBytes);
    },
    (error) => this.#report(error),
  );

  readonly #onClose = guardHandler(
    'WebSocket close handler',
    (code: number, reason: Buffer): void => {
      this.#peerClosed(this.#pendingReason ?? closeReasonOf(code, reason));
    },
    (error) => this.#report(error),
  );

  readonly #onDead = (): void => {
    this.#pendingReason ??= pingTimeoutReason(this.#pingIntervalMs);
    this.#ws?.terminate();
  };
}

function ignore(): void {
  // Errors of a socket that is being (or was) torn down carry no news.
}
