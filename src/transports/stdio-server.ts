import type { Readable, Writable } from 'node:stream';
import { StreamTransport, type StreamPair, type StreamTransportOptions } from './stream-transport.js';

/** Options of {@link StdioServerTransport}. */
export interface StdioServerOptions extends StreamTransportOptions {
  /** Where messages come from (default `process.stdin`). */
  stdin?: Readable | undefined;
  /** Where messages go (default `process.stdout`). */
  stdout?: Writable | undefined;
}

/**
 * The server side of stdio: reads this process's stdin, writes its stdout (NDJSON).
 *
 * It closes when stdin ends (the client closed its end or died), so a server never outlives its client,
 * the orphan problem of the SDK's own `StdioServerTransport`. Nothing else may write to stdout.
 *
 * @example
 * ```ts
 * await server.connect(new StdioServerTransport());
 * ```
 */
export class StdioServerTransport extends StreamTransport {
  readonly #stdin: Readable;
  readonly #stdout: Writable;

  /** @param options - streams (default the process's own) and limits */
  constructor(options: StdioServerOptions = {}) {
    super(options);
    this.#stdin = options.stdin ?? process.stdin;
    this.#stdout = options.stdout ?? process.stdout;
  }

  protected override openStreams(): Promise<StreamPair> {
    // 'close' covers a stdin that is destroyed without an 'end' (e.g. a broken pipe).
    this.#stdin.once('close', this.#onStdinClose);
    return Promise.resolve({ readable: this.#stdin, writable: this.#stdout });
  }

  protected override teardown(): Promise<void> {
    this.#stdin.off('close', this.#onStdinClose);
    // Stop reading so the process can exit; stdout stays open for whoever owns it.
    this.#stdin.pause();
    return Promise.resolve();
  }

  readonly #onStdinClose = (): void => {
    this.onReadableEnd();
  };
}
