import { Client } from 'undici';
import { INITIALIZE, INITIALIZED, callFrames, checkEcho } from '../lib/mcp-frames.js';
import { SseParser } from '../lib/sse-parser.js';
import { awaitResponse } from './channel.js';
import { createPool } from './undici-pool.js';

/** @typedef {import('./channel.js').Channel} Channel */

/**
 * The lean client of the legacy HTTP+SSE transport (2024-11-05): one GET stream on its own
 * connection carries every answer; each request is a POST (202) on a pool of `connections`.
 * @implements {Channel}
 */
export class LegacySseChannel {
  /** @type {((id: number, error?: string) => void) | undefined} */
  onresponse;
  /** @type {((reason: string) => void) | undefined} */
  onfailure;

  #url;
  #stream;
  #pool;
  #frames;
  #payloadBytes;
  #postPath = '';
  #closed = false;
  /** @type {(message: any) => void} */
  #onMessage = () => undefined;

  /** @param {{ url: string, payloadBytes: number, connections?: number }} options - the SSE URL */
  constructor(options) {
    this.#url = new URL(options.url);
    this.#payloadBytes = options.payloadBytes;
    this.#frames = callFrames(options.payloadBytes);
    this.#stream = new Client(this.#url.origin, { bodyTimeout: 0, headersTimeout: 30_000 });
    this.#pool = createPool(this.#url, options.connections ?? 1);
  }

  async open() {
    const res = await this.#stream.request({
      path: this.#url.pathname + this.#url.search,
      method: 'GET',
      headers: { accept: 'text/event-stream' },
    });
    if (res.statusCode !== 200) throw new Error(`GET ${this.#url.pathname} answered HTTP ${res.statusCode}`);
    const parser = new SseParser();
    /** @type {(path: string) => void} */
    let onEndpoint = () => undefined;
    const endpoint = new Promise((resolve) => (onEndpoint = resolve));
    res.body.setEncoding('utf8');
    res.body.on('data', (text) =>
      parser.push(text, (event) => {
        if (event.event === 'endpoint') onEndpoint(event.data);
        else if (event.event === 'message') this.#onMessage(JSON.parse(event.data));
      }),
    );
    res.body.on('error', () => undefined);
    res.body.on('close', () => {
      if (!this.#closed) this.onfailure?.('the SSE stream closed');
    });
    const target = new URL(String(await endpoint), this.#url);
    this.#postPath = target.pathname + target.search;
    const initialized = awaitResponse((fn) => (this.#onMessage = fn), 0);
    await this.#post(JSON.stringify(INITIALIZE));
    await initialized;
    await this.#post(JSON.stringify(INITIALIZED));
    this.#onMessage = (message) => {
      if (typeof message.id === 'number')
        this.onresponse?.(message.id, checkEcho(message, this.#payloadBytes));
    };
  }

  /** @param {number} id */
  request(id) {
    this.#post(this.#frames.line(id)).then(
      (status) => {
        if (status >= 300) this.onresponse?.(id, `POST answered HTTP ${status}`);
      },
      (error) => this.onresponse?.(id, `POST failed: ${String(error?.message ?? error)}`),
    );
  }

  /** @param {string} body */
  async #post(body) {
    const res = await this.#pool.request({
      path: this.#postPath,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await res.body.dump();
    return res.statusCode;
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#stream.destroy(), this.#pool.destroy()]);
  }
}
