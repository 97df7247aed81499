/**
 * Splits a byte stream into newline-delimited lines, decoding UTF-8 only on complete lines (so a
 * multi-byte character split across chunks stays intact). The partial line kept between chunks is
 * bounded by `maxLineBytes`.
 */
export class LineReader {
  /** @type {Buffer[]} */
  #parts = [];
  #size = 0;
  #max;

  /** @param {number} [maxLineBytes] - longest accepted line (default 64 MiB, enough for 8 MiB payloads) */
  constructor(maxLineBytes = 64 * 1024 * 1024) {
    this.#max = maxLineBytes;
  }

  /**
   * Feeds one chunk; calls `onLine` for every complete, non-empty line (without its `\n` / `\r\n`).
   * @param {Buffer} chunk
   * @param {(line: string) => void} onLine
   * @throws {Error} when a line grows past the limit
   */
  push(chunk, onLine) {
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      let line;
      if (this.#parts.length > 0) {
        this.#parts.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.#parts).toString('utf8');
        this.#parts = [];
        this.#size = 0;
      } else {
        line = chunk.toString('utf8', start, nl);
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length > 0) onLine(line);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.#size += chunk.length - start;
      if (this.#size > this.#max) {
        this.#parts = [];
        this.#size = 0;
        throw new Error(`line longer than ${this.#max} bytes`);
      }
      this.#parts.push(start === 0 ? chunk : chunk.subarray(start));
    }
  }
}
