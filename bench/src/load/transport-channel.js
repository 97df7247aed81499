import { INITIALIZE, INITIALIZED, callFrames, checkEcho } from '../lib/mcp-frames.js';
import { awaitResponse } from './channel.js';

/** @typedef {import('./channel.js').Channel} Channel */

/**
 * Load through a client-side transport object (ours, or the SDK's own) driven directly: `send()` of
 * message objects and `onmessage`, no SDK Client on top. Measures the transport itself against a lean
 * peer.
 * @implements {Channel}
 */
export class TransportChannel {
  /** @type {((id: number, error?: string) => void) | undefined} */
  onresponse;
  /** @type {((reason: string) => void) | undefined} */
  onfailure;

  #transport;
  #frames;
  #payloadBytes;
  #closed = false;
  /** @type {(message: any) => void} */
  #onMessage = () => undefined;

  /**
   * @param {{ transport: import('mcp-switchboard').Transport, payloadBytes: number }} options
   */
  constructor(options) {
    this.#transport = options.transport;
    this.#payloadBytes = options.payloadBytes;
    this.#frames = callFrames(options.payloadBytes);
  }

  async open() {
    const t = this.#transport;
    t.onmessage = (message) => this.#onMessage(message);
    t.onerror = (error) => this.onfailure?.(`transport error: ${error.message}`);
    t.onclose = () => {
      if (!this.#closed) this.onfailure?.('the transport closed');
    };
    await t.start();
    const initialized = awaitResponse((fn) => (this.#onMessage = fn), 0);
    await t.send(/** @type {any} */ (INITIALIZE));
    await initialized;
    await t.send(/** @type {any} */ (INITIALIZED));
    this.#onMessage = (message) => {
      if (typeof message.id === 'number')
        this.onresponse?.(message.id, checkEcho(message, this.#payloadBytes));
    };
  }

  /** The pid of the child the transport spawned, if it is a stdio transport (for RSS and clean-up). */
  get childPid() {
    const pid = /** @type {any} */ (this.#transport).pid;
    return typeof pid === 'number' ? pid : undefined;
  }

  /** @param {number} id */
  request(id) {
    this.#transport
      .send(/** @type {any} */ (this.#frames.object(id)))
      .catch((error) => this.onresponse?.(id, `send failed: ${String(error)}`));
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
  }
}
