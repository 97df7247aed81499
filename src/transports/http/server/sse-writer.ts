import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { SwitchboardError } from '../../../errors.js';
import { encodeSseComment } from '../shared/sse-encoding.js';
import { writeParts } from './http-reply.js';
import type { KeepAliveMember, KeepAliveTicker } from './keep-alive.js';

/** What was written to a response that may not start yet. */
interface HeldOutput {
  chunks: (string | readonly (string | Buffer)[])[];
  bytes: number;
  ended: boolean;
}

/** Headers of every SSE response. */
export const SSE_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-store, no-transform',
  connection: 'keep-alive',
  // Tells nginx-style reverse proxies not to buffer the stream.
  'x-accel-buffering': 'no',
};

/** Options of {@link SseWriter}. */
export interface SseWriterOptions {
  /** Bytes that may wait for a client that does not read before the stream is failed. */
  maxBufferedBytes: number;
  /** How long a full stream may wait for the client to read before it is failed, in ms. */
  drainTimeoutMs: number;
  /** Keep-alive comments on idle streams. */
  ticker?: KeepAliveTicker | undefined;
  /** Told once when the stream is failed for a slow or stuck client. */
  onFailure?: ((error: SwitchboardError) => void) | undefined;
}

/** The one already-resolved promise returned by writes that completed synchronously (no allocation). */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * One SSE response: ordered writes with backpressure and a hard bound.
 *
 * `write()` resolves at once while the socket accepts data and, once it is full, when it drains. A client
 * that does not read cannot grow memory without bound: when more than `maxBufferedBytes` are already
 * waiting, or the socket has not drained for `drainTimeoutMs`, the stream is destroyed with a
 * `SLOW_CONSUMER` error. Other streams are unaffected.
 */
export class SseWriter implements KeepAliveMember {
  /** Fires once when the connection closes (ended by us, by the client, or failed). */
  onclose?: (() => void) | undefined;

  readonly #res: ServerResponse;
  readonly #options: SseWriterOptions;
  #opened = false;
  #closed = false;
  #active = false;
  #drain: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  #drainTimer: NodeJS.Timeout | undefined;
  #failure: SwitchboardError | undefined;
  /** {@link openWhen}: what was written (and whether it was ended) before the response may start. */
  #held: HeldOutput | undefined;
  #heldStart: { headers: OutgoingHttpHeaders | undefined; first: string | undefined } | undefined;

  constructor(res: ServerResponse, options: SseWriterOptions) {
    this.#res = res;
    this.#options = options;
    res.on('close', this.#onClose);
    res.on('drain', this.#onDrain);
  }

  /** `true` once the connection is closed or ending. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Why the stream was failed, if it was. */
  get failure(): SwitchboardError | undefined {
    return this.#failure;
  }

  /**
   * Sends the status line and headers, then `first` (e.g. a priming event) or a flush.
   *
   * @param headers - extra headers (e.g. `mcp-session-id`), if any
   */
  open(headers: OutgoingHttpHeaders | undefined, first?: string): void {
    if (this.#opened || this.#closed) return;
    this.#opened = true;
    this.#start(headers, first);
  }

  /**
   * Like {@link open}, but nothing reaches the client before `ready` settles: writes and an end meanwhile
   * are kept in order (resolving at once) and follow the headers. Kept bytes beyond `maxBufferedBytes`
   * start the response early. A client that went away meanwhile gets nothing.
   */
  openWhen(ready: Promise<void>, headers: OutgoingHttpHeaders | undefined, first?: string): void {
    if (this.#opened || this.#closed) return;
    this.#opened = true;
    this.#held = { chunks: [], bytes: 0, ended: false };
    this.#heldStart = { headers, first };
    void ready.then(this.#release, this.#release);
  }

  readonly #release = (): void => {
    const held = this.#held;
    const start = this.#heldStart;
    if (held === undefined || start === undefined) return;
    this.#held = undefined;
    this.#heldStart = undefined;
    if (this.#res.destroyed || this.#failure !== undefined) return;
    // Headers, the first event and what was kept leave together.
    this.#res.cork();
    this.#start(start.headers, start.first);
    for (const chunk of held.chunks) {
      if (typeof chunk === 'string') this.#res.write(chunk);
      else writeParts(this.#res, chunk);
    }
    this.#res.uncork();
    if (held.ended) {
      this.#options.ticker?.delete(this);
      this.#res.end();
    }
  };

  #start(headers: OutgoingHttpHeaders | undefined, first: string | undefined): void {
    this.#res.writeHead(200, headers === undefined ? SSE_HEADERS : { ...SSE_HEADERS, ...headers });
    if (first !== undefined) this.#res.write(first);
    // Headers go out with the first event when one follows at once (one write instead of two);
    // otherwise on the next turn of the event loop, so the client sees the stream open promptly.
    else setImmediate(this.#flush);
    this.#options.ticker?.add(this);
  }

  /**
   * Writes one encoded SSE chunk after everything written before.
   *
   * @throws SwitchboardError `TRANSPORT_CLOSED` when the connection is gone, `SLOW_CONSUMER` when the
   *   client stopped reading (the stream is then destroyed)
   */
  write(chunk: string | readonly (string | Buffer)[]): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    this.#active = true;
    if (this.#held !== undefined) return this.#keep(chunk);
    const waiting = this.#res.writableLength;
    if (waiting > this.#options.maxBufferedBytes) {
      const error = new SwitchboardError(
        'SLOW_CONSUMER',
        `SSE client is not reading: ${waiting} bytes waiting (limit ${this.#options.maxBufferedBytes})`,
      );
      this.fail(error);
      return Promise.reject(error);
    }
    if (typeof chunk === 'string' ? this.#res.write(chunk) : writeParts(this.#res, chunk)) return RESOLVED;
    return this.#waitDrain();
  }

  /** Ends the response after what was written (optionally with a last chunk). Idempotent. */
  end(last?: string | readonly (string | Buffer)[]): void {
    if (this.#closed) return;
    this.#closed = true;
    const held = this.#held;
    if (held !== undefined) {
      if (last !== undefined) held.chunks.push(last);
      held.ended = true;
      return;
    }
    this.#options.ticker?.delete(this);
    if (last === undefined) this.#res.end();
    else if (typeof last === 'string') this.#res.end(last);
    else {
      writeParts(this.#res, last);
      this.#res.end();
    }
  }

  /** Destroys the connection, reporting `error` once through `onFailure`. Idempotent. */
  fail(error: SwitchboardError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#rejectDrain(error);
    this.#res.destroy();
    try {
      this.#options.onFailure?.(error);
    } catch {
      // A throwing observer must not break teardown.
    }
  }

  /** Writes a comment when nothing was written since the previous tick. */
  keepAliveTick(): void {
    if (this.#closed) return;
    if (this.#active) {
      this.#active = false;
      return;
    }
    // A stuck client must not accumulate keep-alives either.
    if (this.#res.writableLength > this.#options.maxBufferedBytes) return;
    this.#res.write(encodeSseComment('keepalive'));
  }

  #keep(chunk: string | readonly (string | Buffer)[]): Promise<void> {
    const held = this.#held as HeldOutput;
    held.chunks.push(chunk);
    held.bytes += typeof chunk === 'string' ? chunk.length : chunk.reduce((n, p) => n + p.length, 0);
    if (held.bytes > this.#options.maxBufferedBytes) this.#release();
    return RESOLVED;
  }

  #waitDrain(): Promise<void> {
    if (this.#drain) return this.#drain.promise;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers may not await every write; a rejection nobody awaits must not become unhandled.
    promise.catch(() => undefined);
    this.#drain = { promise, resolve, reject };
    this.#drainTimer = setTimeout(() => {
      this.fail(
        new SwitchboardError(
          'SLOW_CONSUMER',
          `SSE client did not read for ${this.#options.drainTimeoutMs} ms; stream closed`,
        ),
      );
    }, this.#options.drainTimeoutMs);
    this.#drainTimer.unref();
    return promise;
  }

  #rejectDrain(error: Error): void {
    if (this.#drainTimer) clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    const drain = this.#drain;
    this.#drain = undefined;
    drain?.reject(error);
  }

  #closedError(): SwitchboardError {
    return this.#failure ?? new SwitchboardError('TRANSPORT_CLOSED', 'The SSE stream is closed');
  }

  readonly #flush = (): void => {
    if (!this.#closed && !this.#active) this.#res.flushHeaders();
  };

  readonly #onDrain = (): void => {
    if (this.#drainTimer) clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    const drain = this.#drain;
    this.#drain = undefined;
    drain?.resolve();
  };

  readonly #onClose = (): void => {
    this.#closed = true;
    this.#options.ticker?.delete(this);
    // Build the error only for a waiter: capturing a stack on every closed stream is costly.
    if (this.#drain !== undefined) this.#rejectDrain(this.#closedError());
    const cb = this.onclose;
    this.onclose = undefined;
    cb?.();
  };
}
