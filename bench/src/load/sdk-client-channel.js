import { checkEchoResult, payloadText } from '../lib/mcp-frames.js';

/** @typedef {import('./channel.js').Channel} Channel */

/**
 * Load through an official SDK `Client` (v1 or v2) over a given transport: `callTool()` per request,
 * many in flight. This is the realistic end-to-end path; its cost includes the SDK's own work.
 * @implements {Channel}
 */
export class SdkClientChannel {
  /** @type {((id: number, error?: string) => void) | undefined} */
  onresponse;
  /** @type {((reason: string) => void) | undefined} */
  onfailure;

  #client;
  #transport;
  #text;
  #payloadBytes;
  #closed = false;

  /**
   * @param {{ client: any, transport: any, payloadBytes: number }} options - an SDK Client (not yet
   *   connected) and the transport to connect it with
   */
  constructor(options) {
    this.#client = options.client;
    this.#transport = options.transport;
    this.#payloadBytes = options.payloadBytes;
    this.#text = payloadText(options.payloadBytes);
  }

  async open() {
    await this.#client.connect(this.#transport);
    this.#client.onclose = () => {
      if (!this.#closed) this.onfailure?.('the SDK client closed');
    };
  }

  /** The pid of the child the transport spawned, if it is a stdio transport (for RSS and clean-up). */
  get childPid() {
    const pid = /** @type {any} */ (this.#transport).pid;
    return typeof pid === 'number' ? pid : undefined;
  }

  /** @param {number} id */
  request(id) {
    this.#client.callTool({ name: 'echo', arguments: { text: this.#text } }).then(
      (/** @type {any} */ result) => this.onresponse?.(id, checkEchoResult(result, this.#payloadBytes)),
      (/** @type {unknown} */ error) => this.onresponse?.(id, String(error)),
    );
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }
}
