import WebSocket from 'ws';
import { INITIALIZE, INITIALIZED, callFrames, checkEcho } from '../lib/mcp-frames.js';
import { awaitResponse } from './channel.js';

/** @typedef {import('./channel.js').Channel} Channel */

/**
 * The lean WebSocket client: one JSON-RPC message per text frame, requests pipelined on the one
 * connection.
 * @implements {Channel}
 */
export class WsChannel {
  /** @type {((id: number, error?: string) => void) | undefined} */
  onresponse;
  /** @type {((reason: string) => void) | undefined} */
  onfailure;

  #url;
  #frames;
  #payloadBytes;
  /** @type {WebSocket | undefined} */
  #ws;
  #closed = false;
  /** @type {(message: any) => void} */
  #onMessage = () => undefined;

  /** @param {{ url: string, payloadBytes: number, protocols?: string[] }} options */
  constructor(options) {
    this.#url = options.url;
    this.#payloadBytes = options.payloadBytes;
    this.#frames = callFrames(options.payloadBytes);
  }

  async open() {
    const ws = new WebSocket(this.#url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    this.#ws = ws;
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (data) => this.#onMessage(JSON.parse(data.toString())));
    ws.on('close', () => {
      if (!this.#closed) this.onfailure?.('the WebSocket closed');
    });
    ws.on('error', (error) => this.onfailure?.(`WebSocket error: ${error.message}`));
    const initialized = awaitResponse((fn) => (this.#onMessage = fn), 0);
    ws.send(JSON.stringify(INITIALIZE));
    await initialized;
    ws.send(JSON.stringify(INITIALIZED));
    this.#onMessage = (message) => {
      if (typeof message.id === 'number')
        this.onresponse?.(message.id, checkEcho(message, this.#payloadBytes));
    };
  }

  /** @param {number} id */
  request(id) {
    this.#ws?.send(this.#frames.line(id));
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise((resolve) => {
      ws.once('close', resolve);
      ws.close();
      setTimeout(() => {
        ws.terminate();
        resolve(undefined);
      }, 1000).unref();
    });
  }
}
