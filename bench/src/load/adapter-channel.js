import { Http1Pool } from './http1-pool.js';
import { payloadText } from '../lib/mcp-frames.js';

/** @typedef {import('./channel.js').Channel} Channel */

/**
 * The lean client of our REST and GraphQL adapters: one POST per tool call "echo" on the lean HTTP/1.1 pool
 * (keep-alive, one connection per request in flight). REST posts the arguments to `<base>/tools/echo`
 * and expects the echoed text as a JSON string; GraphQL posts a mutation to `<base>` and expects the
 * text in `data.echo.content[0].text`. No MCP handshake on the wire: the adapter holds the session.
 * @implements {Channel}
 */
export class AdapterChannel {
  /** @type {((id: number, error?: string) => void) | undefined} */
  onresponse;
  /** @type {((reason: string) => void) | undefined} */
  onfailure;

  #url;
  #pool;
  #kind;
  #payloadBytes;
  #body;
  #closed = false;

  /**
   * @param {{ kind: 'rest' | 'graphql', base: string, payloadBytes: number, connections: number }} options
   *   - `base`: the REST mount (`http://…/rest`) or the GraphQL endpoint (`http://…/graphql`)
   */
  constructor(options) {
    this.#kind = options.kind;
    this.#url = new URL(options.kind === 'rest' ? `${options.base}/tools/echo` : options.base);
    this.#payloadBytes = options.payloadBytes;
    this.#pool = new Http1Pool(this.#url, options.connections);
    const text = payloadText(options.payloadBytes);
    this.#body =
      options.kind === 'rest'
        ? JSON.stringify({ text })
        : JSON.stringify({
            query: 'mutation($t: String!) { echo(text: $t) { content { ... on TextContent { text } } } }',
            variables: { t: text },
          });
  }

  /** Waits until the adapter has its catalog (it connects on its own; 503 until then). */
  async open() {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const reply = await this.#post();
      if (reply.status === 200 && this.#check(reply.text) === undefined) return;
      if (Date.now() > deadline)
        throw new Error(`adapter not ready: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** @param {number} id */
  request(id) {
    this.#post().then(
      (reply) =>
        this.onresponse?.(
          id,
          reply.status === 200 ? this.#check(reply.text) : `HTTP ${reply.status} ${reply.text.slice(0, 120)}`,
        ),
      (error) => this.onresponse?.(id, `POST failed: ${String(error?.message ?? error)}`),
    );
  }

  /**
   * @param {string} text - the response body
   * @returns {string | undefined} an error text, or undefined for the expected echo
   */
  #check(text) {
    /** @type {any} */
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      return 'the body is not JSON';
    }
    const echoed = this.#kind === 'rest' ? value : value?.data?.echo?.content?.[0]?.text;
    if (typeof echoed !== 'string') return `no echo text: ${text.slice(0, 120)}`;
    return echoed.length === this.#payloadBytes ? undefined : `echo of ${echoed.length} bytes`;
  }

  async #post() {
    const res = await this.#pool.request({
      path: this.#url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: this.#body,
    });
    return { status: res.statusCode, text: res.text };
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.destroy();
  }
}
