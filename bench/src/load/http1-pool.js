import net from 'node:net';

/**
 * The lean HTTP/1.1 client of the load generators: keep-alive connections on plain sockets, one
 * request at a time on each (no pipelining), requests waiting in order for a free connection. It
 * writes a request as one string and reads the answer framed by `content-length`, `chunked` or the
 * end of the connection; that is all an MCP endpoint's answers need. Like the lean stdio client, it
 * exists so that the servers are measured, not the client: undici's request objects, body streams
 * and header handling cost about 20–30 µs per request at C=1 on the bench VM, which the proxy's
 * added-latency target (0.1 ms) cannot absorb.
 */

/** Longest accepted response head. */
const MAX_HEAD_BYTES = 64 * 1024;
/** Longest accepted response body (8 MiB payloads with room to spare). */
const MAX_BODY_BYTES = 128 * 1024 * 1024;
/** A body this large is written after its head in a second write instead of joined to it. */
const JOIN_BODY_BELOW = 64 * 1024;

/**
 * @typedef {object} Http1Reply
 * @property {number} statusCode
 * @property {Record<string, string>} headers - lower-case names; repeated headers joined with ", "
 * @property {string} text - the body, decoded as UTF-8
 */

/**
 * @typedef {object} Http1Request
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} [headers]
 * @property {string} [body]
 */

/**
 * @typedef {{ request: Http1Request, resolve: (r: Http1Reply) => void, reject: (e: Error) => void }} Waiting
 * @typedef {{ method: string, resolve: (r: Http1Reply) => void, reject: (e: Error) => void }} Pending
 */

/** A pool of keep-alive connections to one origin. */
export class Http1Pool {
  #host;
  #port;
  #hostHeader;
  #max;
  /** @type {Set<Http1Connection>} */
  #all = new Set();
  /** @type {Http1Connection[]} */
  #idle = [];
  /** @type {Waiting[]} */
  #waiting = [];
  #destroyed = false;

  /**
   * @param {URL} origin - `http:` only
   * @param {number} connections - the most connections open at once
   */
  constructor(origin, connections) {
    if (origin.protocol !== 'http:')
      throw new Error(`the lean HTTP client speaks http: only, not ${origin.protocol}`);
    this.#host = origin.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(origin.port || 80);
    this.#hostHeader = origin.host;
    this.#max = Math.max(1, connections);
  }

  /**
   * Sends one request on a free connection (or the next one to become free).
   * @param {Http1Request} request
   * @returns {Promise<Http1Reply>}
   */
  request(request) {
    if (this.#destroyed) return Promise.reject(new Error('the pool is destroyed'));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch() {
    while (this.#waiting.length > 0) {
      let connection = this.#idle.pop();
      if (connection === undefined) {
        if (this.#all.size >= this.#max) return;
        connection = new Http1Connection(this.#host, this.#port, this.#hostHeader, (c, reusable) =>
          this.#released(c, reusable),
        );
        this.#all.add(connection);
      }
      const next = /** @type {Waiting} */ (this.#waiting.shift());
      connection.send(next.request).then(next.resolve, next.reject);
    }
  }

  /**
   * @param {Http1Connection} connection
   * @param {boolean} reusable
   */
  #released(connection, reusable) {
    if (reusable && !this.#destroyed) this.#idle.push(connection);
    else {
      this.#all.delete(connection);
      this.#idle = this.#idle.filter((c) => c !== connection);
      connection.destroy();
    }
    if (!this.#destroyed) this.#dispatch();
  }

  /** Closes every connection; waiting requests fail. Idempotent. */
  async destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const w of this.#waiting.splice(0)) w.reject(new Error('the pool is destroyed'));
    for (const c of this.#all) c.destroy();
    this.#all.clear();
    this.#idle = [];
  }
}

/** One keep-alive connection carrying one request at a time. */
class Http1Connection {
  #socket;
  #hostHeader;
  #onRelease;
  /** @type {Buffer | undefined} bytes read and not yet consumed */
  #buffer;
  /** @type {Pending | undefined} */
  #current;
  /** @type {ResponseReader | undefined} */
  #reader;
  #ended = false;

  /**
   * @param {string} host
   * @param {number} port
   * @param {string} hostHeader
   * @param {(connection: Http1Connection, reusable: boolean) => void} onRelease - told when a response
   *   completed (or failed), and whether the connection can carry another request
   */
  constructor(host, port, hostHeader, onRelease) {
    this.#hostHeader = hostHeader;
    this.#onRelease = onRelease;
    this.#socket = net.connect({ host, port, noDelay: true });
    this.#socket.on('data', (chunk) => this.#onData(chunk));
    this.#socket.on('end', () => this.#onEnd());
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => this.#fail(new Error('the server closed the connection')));
  }

  /**
   * @param {Http1Request} request
   * @returns {Promise<Http1Reply>}
   */
  send(request) {
    return new Promise((resolve, reject) => {
      this.#current = { resolve, reject, method: request.method };
      this.#reader = undefined;
      const body = request.body ?? '';
      let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${this.#hostHeader}\r\n`;
      for (const [name, value] of Object.entries(request.headers ?? {})) head += `${name}: ${value}\r\n`;
      if (body !== '' || request.method === 'POST') head += `content-length: ${Buffer.byteLength(body)}\r\n`;
      head += '\r\n';
      if (body.length < JOIN_BODY_BELOW) this.#socket.write(head + body);
      else {
        this.#socket.cork();
        this.#socket.write(head);
        this.#socket.write(body);
        this.#socket.uncork();
      }
      // Bytes that arrived before the request (none on a well-behaved server) are read now.
      this.#read();
    });
  }

  /** @param {Buffer} chunk */
  #onData(chunk) {
    this.#buffer = this.#buffer === undefined ? chunk : Buffer.concat([this.#buffer, chunk]);
    this.#read();
  }

  #read() {
    if (this.#current === undefined || this.#buffer === undefined) return;
    try {
      this.#reader ??= new ResponseReader(this.#current.method);
      const used = this.#reader.push(this.#buffer, this.#ended);
      this.#buffer = used < this.#buffer.length ? this.#buffer.subarray(used) : undefined;
      if (this.#reader.done) this.#complete(this.#reader.reply(), this.#reader.reusable);
    } catch (error) {
      this.#fail(/** @type {Error} */ (error));
    }
  }

  #onEnd() {
    this.#ended = true;
    if (this.#current !== undefined && this.#reader?.untilClose) this.#complete(this.#reader.reply(), false);
    else this.#fail(new Error('the server ended the connection before its answer was complete'));
  }

  /**
   * @param {Http1Reply} reply
   * @param {boolean} reusable
   */
  #complete(reply, reusable) {
    const current = /** @type {Pending} */ (this.#current);
    this.#current = undefined;
    this.#reader = undefined;
    this.#onRelease(this, reusable && !this.#ended);
    current.resolve(reply);
  }

  /** @param {Error} error */
  #fail(error) {
    this.#ended = true;
    const current = this.#current;
    this.#current = undefined;
    this.#onRelease(this, false); // also for an idle connection the server closed
    current?.reject(error);
  }

  destroy() {
    this.#ended = true;
    this.#socket.destroy();
  }
}

/**
 * Reads one HTTP/1.1 response from the bytes of a connection: the head, then the body as the head
 * frames it. Interim (1xx) responses are skipped.
 */
class ResponseReader {
  #method;
  /** @type {number} */
  statusCode = 0;
  /** @type {Record<string, string>} */
  headers = {};
  reusable = true;
  untilClose = false;
  /** @type {'head' | 'fixed' | 'chunked' | 'close' | 'done'} */
  #state = 'head';
  #remaining = 0;
  /** @type {Buffer[]} */
  #parts = [];
  #bodyBytes = 0;
  /** The CRLF that ends a chunk's data is next. */
  #afterData = false;
  #lastChunkSeen = false;

  /** @param {string} method */
  constructor(method) {
    this.#method = method;
  }

  /** The response is complete. */
  get done() {
    return this.#state === 'done';
  }

  /**
   * Consumes what it can of `data`.
   * @param {Buffer} data - the unread bytes of the connection
   * @param {boolean} ended - the server ended the connection
   * @returns {number} how many bytes were consumed; the rest (an incomplete head or chunk line, or
   *   what follows a complete response) is handed in again with the next bytes
   */
  push(data, ended) {
    let at = 0;
    while (this.#state === 'head') {
      const end = data.indexOf('\r\n\r\n', at, 'latin1');
      if (end === -1) {
        if (data.length - at > MAX_HEAD_BYTES) throw new Error('response head too large');
        return at;
      }
      this.#readHead(data.toString('latin1', at, end));
      at = end + 4;
    }
    if (this.#state === 'fixed') {
      const take = Math.min(this.#remaining, data.length - at);
      this.#body(data.subarray(at, at + take));
      at += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#state = 'done';
    } else if (this.#state === 'chunked') {
      at = this.#readChunks(data, at);
    } else if (this.#state === 'close') {
      this.#body(data.subarray(at));
      at = data.length;
      if (ended) this.#state = 'done';
    }
    return at;
  }

  /** @param {string} head */
  #readHead(head) {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!status) throw new Error(`bad status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    this.statusCode = Number(status[2]);
    /** @type {Record<string, string>} */
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const line = /** @type {string} */ (lines[i]);
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`bad header line: ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    this.headers = headers;
    if (this.statusCode < 200) return; // an interim response: the real one follows
    const connection = (headers.connection ?? '').toLowerCase();
    this.reusable = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    if (this.#method === 'HEAD' || this.statusCode === 204 || this.statusCode === 304) this.#state = 'done';
    else if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) this.#state = 'chunked';
    else if (headers['content-length'] !== undefined) {
      this.#remaining = Number(headers['content-length']);
      if (!Number.isSafeInteger(this.#remaining) || this.#remaining < 0)
        throw new Error(`bad content-length: ${headers['content-length']}`);
      if (this.#remaining > MAX_BODY_BYTES) throw new Error(`response body over ${MAX_BODY_BYTES} bytes`);
      this.#state = this.#remaining === 0 ? 'done' : 'fixed';
    } else {
      this.#state = 'close';
      this.untilClose = true;
      this.reusable = false;
    }
  }

  /**
   * Reads chunks from `at`; returns the offset up to which the bytes were consumed (the state becomes
   * `done` after the last chunk and its trailers).
   * @param {Buffer} data
   * @param {number} at
   */
  #readChunks(data, at) {
    for (;;) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, data.length - at);
        this.#body(data.subarray(at, at + take));
        at += take;
        this.#remaining -= take;
        if (this.#remaining > 0) return at;
        this.#afterData = true;
      }
      if (this.#afterData) {
        if (data.length - at < 2) return at;
        at += 2; // the CRLF after a chunk's data
        this.#afterData = false;
      }
      const eol = data.indexOf('\r\n', at, 'latin1');
      if (eol === -1) {
        if (data.length - at > MAX_HEAD_BYTES) throw new Error('chunk line too long');
        return at;
      }
      const line = data.toString('latin1', at, eol);
      at = eol + 2;
      if (this.#lastChunkSeen) {
        if (line === '') {
          this.#state = 'done'; // the end of the trailers
          return at;
        }
        continue;
      }
      const size = parseInt(line, 16);
      if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-fA-F]/.test(line))
        throw new Error(`bad chunk size: ${JSON.stringify(line.slice(0, 40))}`);
      if (size === 0) this.#lastChunkSeen = true;
      else this.#remaining = size;
    }
  }

  /** @param {Buffer} part */
  #body(part) {
    if (part.length === 0) return;
    this.#bodyBytes += part.length;
    if (this.#bodyBytes > MAX_BODY_BYTES) throw new Error(`response body over ${MAX_BODY_BYTES} bytes`);
    this.#parts.push(part);
  }

  /** @returns {Http1Reply} */
  reply() {
    const parts = this.#parts;
    const text =
      parts.length === 0
        ? ''
        : parts.length === 1
          ? parts[0].toString('utf8')
          : Buffer.concat(parts).toString('utf8');
    return { statusCode: this.statusCode, headers: this.headers, text };
  }
}
