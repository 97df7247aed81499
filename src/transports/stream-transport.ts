import type { Readable, Writable } from 'node:stream';
import { SwitchboardError, toSwitchboardError } from '../errors.js';
import type { BudgetLease, BufferBudget } from '../framing/buffer-budget.js';
import { codecs, type Codec, type FramingName } from '../framing/codec.js';
import { rawEncodingOf } from '../framing/frame-message.js';
import { resolveMaxMessageBytes } from '../framing/frame-parser.js';
import { RAW_FRAMES, RAW_WRITES, widerScope, type RawFrameScope } from '../framing/raw-frame-mode.js';
import type { FrameDecoder } from '../framing/frame-parser.js';
import { isNotification, type JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, PeerInfo, Transport, TransportSendOptions } from '../transport.js';
import { answerFrameError } from './frame-error-policy.js';
import { FrameDeadlines, type FrameDeadlineOptions } from './frame-deadlines.js';
import { guardHandler } from './handler-guard.js';
import { WriteQueue } from './write-queue.js';

/** Options shared by every transport over a byte stream (stdio, TCP, TLS, Unix). */
export interface StreamTransportOptions {
  /** Largest message accepted or sent, in bytes (default 32 MiB). */
  maxMessageBytes?: number | undefined;
  /** Framing on the wire (default `ndjson`, the MCP standard). */
  framing?: FramingName | undefined;
  /** Bound on bytes waiting behind a full stream (default 64 MiB). */
  maxQueuedBytes?: number | undefined;
  /**
   * Hold the bytes of an incomplete incoming frame in this shared budget; a frame that does not fit
   * closes the connection with `BUFFER_BUDGET_EXCEEDED` (default: no shared bound). Listeners set it.
   */
  bufferBudget?: BufferBudget | undefined;
  /**
   * Close the connection with `FRAME_TIMEOUT` when the peer sends no complete message in time (default:
   * no deadlines). Listeners set it for accepted connections; a client must not, since servers speak
   * only when asked.
   */
  frameDeadlines?: FrameDeadlineOptions | undefined;
  /**
   * Stop reading while the outgoing side is backed up (the stream refused more and has not drained),
   * so a peer that sends requests but never reads the responses cannot make us buffer without bound
   * (default false). Listeners set it for accepted connections. Not for a transport to a child or a
   * server: that peer may block on its own output until we read, and both would wait forever.
   */
  pauseReadsWhileSendBlocked?: boolean | undefined;
}

/** The two halves a stream transport reads from and writes to. */
export interface StreamPair {
  readable: Readable;
  writable: Writable;
}

type State = 'idle' | 'starting' | 'open' | 'closed';

/**
 * Base of every byte-stream transport: framing, ordered writes with backpressure, and an idempotent
 * lifecycle that ends in exactly one `onclose`. Subclasses only open the streams and tear them down.
 */
export abstract class StreamTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  sessionId?: string | undefined;

  readonly #codec: Codec;
  readonly #maxMessageBytes: number;
  readonly #maxQueuedBytes: number | undefined;
  readonly #lease: BudgetLease | undefined;
  readonly #deadlines: FrameDeadlines | undefined;
  readonly #pauseWhileBlocked: boolean;
  #pausedByUs = false;
  #state: State = 'idle';
  #streams: StreamPair | undefined;
  #writer: WriteQueue | undefined;
  #decoder: FrameDecoder | undefined;
  #closing: Promise<void> | undefined;
  #markClosed!: () => void;
  readonly #closedSignal = new Promise<void>((resolve) => (this.#markClosed = resolve));
  #closeReason: SwitchboardError | undefined;
  #extra: MessageExtraInfo | undefined;
  #protocolVersion: string | undefined;
  // Decoded messages waiting for delivery (see #deliverSoon); holds at most one chunk's worth.
  #inbox: (JSONRPCMessage | undefined)[] = [];
  #inboxHead = 0;
  #draining = false;
  #rawFrames: RawFrameScope | undefined;

  protected constructor(options: StreamTransportOptions = {}) {
    this.#codec = codecs[options.framing ?? 'ndjson'];
    this.#maxMessageBytes = resolveMaxMessageBytes(options.maxMessageBytes);
    this.#maxQueuedBytes = options.maxQueuedBytes;
    this.#lease = options.bufferBudget?.lease();
    this.#deadlines =
      options.frameDeadlines === undefined
        ? undefined
        : new FrameDeadlines(options.frameDeadlines, (reason) => this.#refuse(reason));
    this.#pauseWhileBlocked = options.pauseReadsWhileSendBlocked ?? false;
  }

  /** Opens (or adopts) the streams. Called once by `start()`. */
  protected abstract openStreams(): Promise<StreamPair>;

  /** Releases what `openStreams()` acquired (kill the child, destroy the socket). Called once. */
  protected abstract teardown(reason: SwitchboardError | undefined): Promise<void>;

  /** Why the transport closed when the peer (not `close()`) ended it; `undefined` otherwise. */
  get closeReason(): SwitchboardError | undefined {
    return this.#closeReason;
  }

  /** Resolves once the transport closed (by either side) and `onclose` ran; never rejects. */
  whenClosed(): Promise<void> {
    return this.#closedSignal;
  }

  /** `true` once closed (by either side). */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** The protocol version negotiated by the SDK, if it told us. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  /** Called by the SDK after initialization. */
  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  /** Facts about the peer, attached to every delivered message as `extra.peer`. */
  protected setPeerInfo(peer: PeerInfo): void {
    this.#extra = { peer };
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new SwitchboardError(
        'ALREADY_STARTED',
        'Transport already started; start() may be called only once',
      );
    }
    this.#state = 'starting';
    let streams: StreamPair;
    try {
      streams = await this.openStreams();
    } catch (error) {
      this.#state = 'closed';
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
    if (this.#state !== 'starting') return; // closed while opening; teardown already ran or will run
    this.#streams = streams;
    this.#writer = new WriteQueue(
      streams.writable,
      this.#maxQueuedBytes,
      this.#pauseWhileBlocked ? this.#onSendPressure : undefined,
    );
    this.#decoder = this.#codec.createDecoder(
      { onmessage: this.#onFrame, onerror: this.#onFrameError },
      { maxMessageBytes: this.#maxMessageBytes, budget: this.#lease, rawFrames: this.#rawFrames },
    );
    streams.readable.on('data', this.#onData);
    streams.readable.on('end', this.#onEnd);
    streams.readable.on('error', this.#onStreamError);
    if (streams.writable !== (streams.readable as unknown)) streams.writable.on('error', this.#onStreamError);
    this.#state = 'open';
    this.#deadlines?.start();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#state !== 'open' || this.#writer === undefined) {
      return Promise.reject(
        this.#state === 'closed'
          ? this.#closedError()
          : new SwitchboardError('NOT_STARTED', 'Transport not started; call start() before send()'),
      );
    }
    // A framed message still as it arrived goes out as the bytes it arrived as.
    const raw = rawEncodingOf(message);
    const parts = raw === undefined ? undefined : this.#codec.frameRaw(raw);
    if (raw !== undefined && parts !== undefined) {
      if (raw.byteLength > this.#maxMessageBytes) {
        return Promise.reject(
          new SwitchboardError(
            'FRAME_TOO_LARGE',
            `Outgoing message of ${raw.byteLength} bytes exceeds the limit of ${this.#maxMessageBytes} bytes (maxMessageBytes)`,
          ),
        );
      }
      return this.#writer.write(parts);
    }
    let data: string | Buffer;
    try {
      data = this.#codec.encode(message, this.#maxMessageBytes);
    } catch (error) {
      return Promise.reject(toSwitchboardError(error));
    }
    return this.#writer.write(data);
  }

  /** Framed messages are written as their bytes. */
  [RAW_WRITES](): boolean {
    return true;
  }

  /** Raw-frame mode (for our relay): deliver framed messages from now on. */
  [RAW_FRAMES](scope: RawFrameScope = 'all'): void {
    this.#rawFrames = widerScope(this.#rawFrames, scope);
    if (this.#decoder) this.#decoder.rawFrames = this.#rawFrames;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown(undefined);
    return this.#closing;
  }

  /**
   * Subclasses call this when the peer went away (stream ended, child exited, socket closed).
   * Idempotent; a no-op after `close()`.
   */
  protected peerClosed(reason: SwitchboardError): void {
    this.#closing ??= this.#shutdown(reason);
  }

  /** Hook: the readable side ended. Default: the peer closed. Stdio client waits for the exit status. */
  protected onReadableEnd(): void {
    this.peerClosed(new SwitchboardError('TRANSPORT_CLOSED', 'The peer closed the stream'));
  }

  /** Hook: a stream emitted an error. Default: report it and treat the peer as gone. */
  protected onStreamFailure(error: Error): void {
    this.peerClosed(
      new SwitchboardError('CONNECTION_FAILED', `Stream error: ${error.message}`, { cause: error }),
    );
  }

  /** Reports an out-of-band error through `onerror`, never throwing. */
  protected reportError(error: Error): void {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  }

  #closedError(): SwitchboardError {
    const reason = this.#closeReason;
    return new SwitchboardError(
      'TRANSPORT_CLOSED',
      reason ? `Transport closed: ${reason.message}` : 'Transport closed',
      reason ? { cause: reason, details: reason.details } : {},
    );
  }

  /**
   * Ends the connection because of the peer's behaviour (budget spent, deadline passed): what was sent
   * so far (e.g. the error answer) is flushed first, then the stream is torn down.
   */
  #refuse(reason: SwitchboardError): void {
    this.#closing ??= this.#shutdown(reason, true);
  }

  async #shutdown(reason: SwitchboardError | undefined, flush = reason === undefined): Promise<void> {
    this.#closeReason = reason;
    this.#state = 'closed';
    this.#deadlines?.stop();
    this.#decoder?.dispose();
    this.#lease?.release();
    // What was sent before close() goes out; only what cannot be written any more fails.
    if (flush) this.#writer?.flushNow();
    this.#writer?.fail(this.#closedError());
    const streams = this.#streams;
    if (streams) {
      streams.readable.off('data', this.#onData);
      streams.readable.off('end', this.#onEnd);
      // Keep the error listeners: late errors on dying streams must not become uncaught exceptions.
    }
    try {
      await this.teardown(reason);
    } catch (error) {
      this.reportError(toSwitchboardError(error));
    } finally {
      // An orderly end by the peer is not an error; a crash or a broken stream is.
      if (reason && reason.code !== 'TRANSPORT_CLOSED') this.reportError(reason);
      try {
        this.onclose?.();
      } catch (error) {
        this.reportError(toSwitchboardError(error));
      }
      this.#markClosed();
    }
  }

  // Stream callbacks are guarded: nothing thrown below may escape into the emitter (and the process).
  readonly #onData = guardHandler(
    'stream data handler',
    (chunk: Buffer | string): void => {
      const decoder = this.#decoder;
      if (decoder === undefined) return;
      decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (decoder.inFrame && this.#state === 'open') this.#deadlines?.frameBegun();
    },
    (error) => this.reportError(error),
  );

  readonly #onEnd = guardHandler(
    'stream end handler',
    (): void => {
      this.#decoder?.end();
      this.onReadableEnd();
    },
    (error) => this.reportError(error),
  );

  readonly #onStreamError = guardHandler(
    'stream error handler',
    (error: Error): void => {
      if (this.#state === 'closed') return;
      this.onStreamFailure(error);
    },
    (error) => this.reportError(error),
  );

  /** The write side filled up (`true`) or drained (`false`): stop or resume reading. */
  readonly #onSendPressure = (blocked: boolean): void => {
    const readable = this.#streams?.readable;
    if (readable === undefined || this.#state !== 'open') return;
    if (blocked) {
      if (readable.isPaused()) return; // someone else paused it; theirs to resume
      readable.pause();
      this.#pausedByUs = true;
    } else if (this.#pausedByUs) {
      this.#pausedByUs = false;
      readable.resume();
    }
  };

  /** Every complete frame, delivered or not, meets the deadlines. */
  readonly #onFrame = (message: JSONRPCMessage): void => {
    this.#deadlines?.frameEnded();
    this.#deliverSoon(message);
  };

  /**
   * Messages decoded from one chunk are delivered in order, and after a notification the next one waits
   * one microtask hop (until the microtasks queued by that delivery ran). SDK v1 runs notification
   * handlers on a microtask; when the last progress notification and the response arrived in one chunk,
   * back-to-back delivery let the response remove the progress callback first and the update was lost.
   */
  readonly #deliverSoon = (message: JSONRPCMessage): void => {
    this.#inbox.push(message);
    if (!this.#draining) {
      this.#draining = true;
      this.#drain();
    }
  };

  readonly #drain = (): void => {
    for (;;) {
      const message = this.#inbox[this.#inboxHead];
      if (message === undefined) {
        this.#inbox = [];
        this.#inboxHead = 0;
        this.#draining = false;
        return;
      }
      this.#inbox[this.#inboxHead++] = undefined;
      this.#deliver(message);
      // Only a notification needs the hop (its SDK handler runs on a microtask); responses and requests
      // that follow one another are delivered back to back.
      if (isNotification(message)) {
        queueMicrotask(this.#drain);
        return;
      }
    }
  };

  readonly #deliver = (message: JSONRPCMessage): void => {
    if (this.#state !== 'open') return;
    try {
      this.onmessage?.(message, this.#extra);
    } catch (error) {
      this.reportError(toSwitchboardError(error));
    }
  };

  readonly #onFrameError = (error: SwitchboardError): void => {
    const refused = error.code === 'BUFFER_BUDGET_EXCEEDED';
    if (!refused) {
      this.#deadlines?.frameEnded();
      this.reportError(error);
    }
    answerFrameError(error, {
      reply: (message) => {
        this.send(message).catch((e: unknown) => this.reportError(toSwitchboardError(e)));
      },
      deliver: this.#deliverSoon,
    });
    // The shared budget is spent: this connection goes (after its answer), the others go on.
    if (refused) this.#refuse(error);
  };
}
