const LF = 0x0a;

/**
 * Splits a byte stream into text lines with a bounded buffer: a line longer than `maxLineBytes` is cut
 * and delivered in pieces. Used for children's stderr, which is log text, not protocol.
 */
export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #bytes = 0;

  /**
   * @param onLine - receives each line without its line ending
   * @param maxLineBytes - longest line kept whole (default 64 KiB)
   */
  constructor(onLine: (line: string) => void, maxLineBytes = 64 * 1024) {
    this.#onLine = onLine;
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? chunk.length : nl;
      let piece = chunk.subarray(start, end);
      while (this.#bytes + piece.length > this.#maxLineBytes) {
        const room = this.#maxLineBytes - this.#bytes;
        this.#parts.push(piece.subarray(0, room));
        this.#bytes += room;
        this.#emit();
        piece = piece.subarray(room);
      }
      this.#parts.push(piece);
      this.#bytes += piece.length;
      if (nl === -1) return;
      this.#emit();
      start = nl + 1;
      if (start >= chunk.length) return;
    }
  }

  /** Delivers an unterminated last line, if any. */
  end(): void {
    if (this.#bytes > 0) this.#emit();
  }

  #emit(): void {
    const text = Buffer.concat(this.#parts, this.#bytes).toString('utf8');
    this.#parts = [];
    this.#bytes = 0;
    this.#onLine(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
}
