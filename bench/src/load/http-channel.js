import { Http1Pool } from './http1-pool.js';
import { INITIALIZE, INITIALIZED, callFrames, checkEcho } from '../lib/mcp-frames.js';
import { messagesOfSseBody } from '../lib/sse-parser.js';

/** @typedef {import('./channel.js').Channel} Channel */

/**
 * The lean Streamable HTTP client (session era): one POST per request on the lean HTTP/1.1 pool
 * (`http1-pool.js`) with keep-alive, as many connections as requests in flight. Reads the answer whether the server replies
 * with `application/json` or a `text/event-stream`.
 * @implements {Channel}
 */
export class HttpChannel {
  /** @type {((id: number, error?: string) => void) | undefined} */
  onresponse;
  /** @type {((reason: string) => void) | undefined} */
  onfailure;

  #url;
  #pool;
  #ownPool;
  #frames;
  #payloadBytes;
  /** @type {Record<string, string>} */
  #headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  #closed = false;

  /**
   * @param {{ url: string, payloadBytes: number, connections?: number, pool?: Http1Pool, tools?: string[] }}
   *   options - the MCP endpoint; connections of an own pool (default 1), or a pool shared between
   *   channels; the tools called in turn (default `echo`)
   */
  constructor(options) {
    this.#url = new URL(options.url);
    this.#payloadBytes = options.payloadBytes;
    this.#frames = callFrames(options.payloadBytes, options.tools);
    this.#ownPool = options.pool === undefined;
    this.#pool = options.pool ?? new Http1Pool(this.#url, options.connections ?? 1);
  }

  /** The session id the server issued, if any. */
  get sessionId() {
    return this.#headers['mcp-session-id'];
  }

  async open() {
    const init = await this.#post(JSON.stringify(INITIALIZE));
    if (init.status !== 200)
      throw new Error(`initialize answered HTTP ${init.status}: ${init.text.slice(0, 200)}`);
    const response = init.messages.find((m) => m?.id === 0);
    if (!response?.result) throw new Error(`bad initialize response: ${init.text.slice(0, 200)}`);
    const session = init.headers['mcp-session-id'];
    if (typeof session === 'string') this.#headers['mcp-session-id'] = session;
    this.#headers['mcp-protocol-version'] = String(response.result.protocolVersion);
    const ack = await this.#post(JSON.stringify(INITIALIZED));
    if (ack.status >= 300) throw new Error(`notifications/initialized answered HTTP ${ack.status}`);
  }

  /** @param {number} id */
  request(id) {
    this.#post(this.#frames.line(id)).then(
      (reply) => {
        if (reply.status >= 300)
          return this.onresponse?.(id, `HTTP ${reply.status} ${plainText(reply.text)}`);
        const message = reply.messages.find((m) => m?.id === id);
        this.onresponse?.(id, message ? checkEcho(message, this.#payloadBytes) : 'no response in the body');
      },
      (error) => this.onresponse?.(id, `POST failed: ${String(error?.message ?? error)}`),
    );
  }

  /** @param {string} body */
  async #post(body) {
    const res = await this.#pool.request({
      path: this.#url.pathname + this.#url.search,
      method: 'POST',
      headers: this.#headers,
      body,
    });
    const text = res.text;
    const type = String(res.headers['content-type'] ?? '');
    /** @type {any[]} */
    let messages = [];
    if (res.statusCode < 300 && text !== '') {
      messages = type.includes('text/event-stream') ? messagesOfSseBody(text) : [JSON.parse(text)];
    }
    return { status: res.statusCode, headers: res.headers, text, messages };
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.sessionId) {
      await this.#pool
        .request({ path: this.#url.pathname, method: 'DELETE', headers: this.#headers })
        .catch(() => undefined);
    }
    if (this.#ownPool) await this.#pool.destroy();
  }
}

/**
 * The start of an error body as one line of plain text (HTML error pages stripped of their tags).
 * @param {string} body
 */
function plainText(body) {
  return body
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z0-9#]+;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}
