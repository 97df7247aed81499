/**
 * Incremental parser of a `text/event-stream` body (the subset MCP uses: `event`, `data`, `id`,
 * comments). Emits one event per blank line. The pending text between chunks is bounded.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  /** @type {string[]} */
  #data = [];
  #max;

  /** @param {number} [maxEventChars] - largest pending event (default 64 Mi chars) */
  constructor(maxEventChars = 64 * 1024 * 1024) {
    this.#max = maxEventChars;
  }

  /**
   * @param {string} text - the next decoded piece of the stream
   * @param {(event: { event: string, data: string }) => void} onEvent
   */
  push(text, onEvent) {
    this.#buffer += text;
    let start = 0;
    let nl = this.#buffer.indexOf('\n', start);
    while (nl !== -1) {
      let line = this.#buffer.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      start = nl + 1;
      this.#line(line, onEvent);
      nl = this.#buffer.indexOf('\n', start);
    }
    this.#buffer = this.#buffer.slice(start);
    if (this.#buffer.length > this.#max) throw new Error(`SSE event larger than ${this.#max} chars`);
  }

  /**
   * @param {string} line
   * @param {(event: { event: string, data: string }) => void} onEvent
   */
  #line(line, onEvent) {
    if (line === '') {
      if (this.#data.length > 0) onEvent({ event: this.#event || 'message', data: this.#data.join('\n') });
      this.#event = '';
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
  }
}

/**
 * Parses a complete SSE body and returns the JSON-RPC messages carried in its `message` events.
 * @param {string} body
 * @returns {unknown[]}
 */
export function messagesOfSseBody(body) {
  /** @type {unknown[]} */
  const out = [];
  new SseParser().push(body.endsWith('\n\n') ? body : `${body}\n\n`, (e) => {
    if (e.event === 'message' && e.data !== '') out.push(JSON.parse(e.data));
  });
  return out;
}
