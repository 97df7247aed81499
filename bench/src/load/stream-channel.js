import { INITIALIZE, INITIALIZED, callFrames, checkEcho } from '../lib/mcp-frames.js';
import { LineReader } from '../lib/ndjson-reader.js';
import { awaitResponse } from './channel.js';

/** @typedef {import('./channel.js').Channel} Channel */

/**
 * The lean NDJSON client over a byte stream pair (a child's pipes, a TCP or Unix socket): raw writes,
 * requests pipelined on the one stream; the requests issued in one tick leave in one write. In-flight
 * requests bound what is buffered (concurrency × payload).
 * @implements {Channel}
 */
export class StreamChannel {
  /** @type {((id: number, error?: string) => void) | undefined} */
  onresponse;
  /** @type {((reason: string) => void) | undefined} */
  onfailure;

  #readable;
  #writable;
  #frames;
  #payloadBytes;
  #reader = new LineReader();
  /** @type {string[]} */
  #pending = [];
  #flushScheduled = false;
  /** @type {(message: any) => void} */
  #onMessage = () => undefined;
  #closed = false;
  #onClose;

  /**
   * @param {{ readable: import('node:stream').Readable, writable: import('node:stream').Writable,
   *   payloadBytes: number, onClose?: () => Promise<void>,
   *   frames?: { line: (id: number) => string } }} options - the streams; what closes them; other
   *   request lines than the plain tools/call echo (the answer is checked all the same)
   */
  constructor(options) {
    this.#readable = options.readable;
    this.#writable = options.writable;
    this.#payloadBytes = options.payloadBytes;
    this.#frames = options.frames ?? callFrames(options.payloadBytes);
    this.#onClose = options.onClose;
  }

  async open() {
    this.#readable.on('data', (chunk) => {
      try {
        this.#reader.push(chunk, (line) => this.#onMessage(JSON.parse(line)));
      } catch (error) {
        this.onfailure?.(`bad frame: ${String(error)}`);
      }
    });
    const lost = () => {
      if (!this.#closed) this.onfailure?.('the stream closed');
    };
    this.#readable.once('close', lost);
    this.#readable.once('end', lost);
    this.#writable.on('error', (error) => this.onfailure?.(`write failed: ${error.message}`));
    const initialized = awaitResponse((fn) => (this.#onMessage = fn), 0);
    this.#writable.write(`${JSON.stringify(INITIALIZE)}\n`);
    await initialized;
    this.#writable.write(`${JSON.stringify(INITIALIZED)}\n`);
    this.#onMessage = (message) => {
      if (typeof message.id === 'number')
        this.onresponse?.(message.id, checkEcho(message, this.#payloadBytes));
    };
  }

  /** @param {number} id */
  request(id) {
    this.#pending.push(this.#frames.line(id));
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
  }

  #flush = () => {
    this.#flushScheduled = false;
    if (this.#closed) return;
    this.#pending.push('');
    this.#writable.write(this.#pending.join('\n'));
    this.#pending = [];
  };

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await this.#onClose?.();
  }
}
