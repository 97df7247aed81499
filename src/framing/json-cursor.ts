const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const BARE_VALUE = /[^,}\]\s]+/y;

/**
 * A forward reader over a fragment of JSON text (the first or last bytes of a frame), for envelope
 * recovery. Every method is total: it returns `undefined`/`false` where the text ends or stops being
 * JSON, never throws, and reads each character a bounded number of times (no recursion, no backtracking
 * regular expressions).
 */
export class JsonCursor {
  readonly #text: string;
  /** Index of the next character to read. */
  position = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** `true` for the four JSON whitespace characters. */
  static isWs(code: number): boolean {
    return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
  }

  /**
   * Index of the opening quote of the string whose closing quote is at `close`, or -1. A quote counts
   * when an even number of backslashes precedes it.
   */
  static stringStart(text: string, close: number): number {
    for (let j = close - 1; j >= 0; j--) {
      if (text.charCodeAt(j) !== QUOTE) continue;
      let slashes = 0;
      while (j - 1 - slashes >= 0 && text.charCodeAt(j - 1 - slashes) === BACKSLASH) slashes++;
      if (slashes % 2 === 0) return j;
      j -= slashes;
    }
    return -1;
  }

  get atEnd(): boolean {
    return this.position >= this.#text.length;
  }

  /** The next character, or `undefined` at the end. */
  peek(): string | undefined {
    return this.#text[this.position];
  }

  /** Skips JSON whitespace. */
  skipWs(): void {
    while (this.position < this.#text.length && JsonCursor.isWs(this.#text.charCodeAt(this.position)))
      this.position++;
  }

  /** Consumes `char` if it is next. */
  consume(char: string): boolean {
    if (this.#text[this.position] !== char) return false;
    this.position++;
    return true;
  }

  /**
   * Reads a complete JSON string and returns its value, or `undefined` (position unspecified) when the
   * string is unterminated, has an invalid escape or contains a raw control character. Lone surrogates
   * (escaped or raw) are kept, as `JSON.parse` keeps them.
   */
  readString(): string | undefined {
    const text = this.#text;
    if (text.charCodeAt(this.position) !== QUOTE) return undefined;
    let out = '';
    let runStart = ++this.position;
    while (this.position < text.length) {
      const code = text.charCodeAt(this.position);
      if (code === QUOTE) {
        out += text.slice(runStart, this.position++);
        return out;
      }
      if (code < 0x20) return undefined;
      if (code !== BACKSLASH) {
        this.position++;
        continue;
      }
      out += text.slice(runStart, this.position);
      const escaped = text[this.position + 1];
      if (escaped === 'u') {
        const hex = text.slice(this.position + 2, this.position + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.position += 6;
      } else {
        const decoded = escaped === undefined ? undefined : ESCAPES[escaped];
        if (decoded === undefined) return undefined;
        out += decoded;
        this.position += 2;
      }
      runStart = this.position;
    }
    return undefined;
  }

  /**
   * Reads a JSON number that is followed by a delimiter (whitespace, `,`, `}`, `]`) or by the end of
   * the text when `endIsDelimiter`; `undefined` when there is none or it is not finite.
   */
  readNumber(endIsDelimiter: boolean): number | undefined {
    NUMBER.lastIndex = this.position;
    const m = NUMBER.exec(this.#text);
    if (m === null) return undefined;
    const next = this.position + m[0].length;
    const after = this.#text.charCodeAt(next);
    const delimited =
      next >= this.#text.length
        ? endIsDelimiter
        : JsonCursor.isWs(after) || after === 0x2c || after === 0x7d || after === 0x5d;
    if (!delimited) return undefined;
    const value = Number(m[0]);
    if (!Number.isFinite(value)) return undefined;
    this.position = next;
    return value;
  }

  /**
   * Skips one JSON value (nesting counted, not recursed into). Lenient about what it skips; `false`
   * when the text ends first.
   */
  skipValue(): boolean {
    const text = this.#text;
    const c = text[this.position];
    if (c === '"') return this.#skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      while (this.position < text.length) {
        const d = text[this.position];
        if (d === '"') {
          if (!this.#skipString()) return false;
          continue;
        }
        this.position++;
        if (d === '{' || d === '[') depth++;
        else if ((d === '}' || d === ']') && --depth === 0) return true;
      }
      return false;
    }
    BARE_VALUE.lastIndex = this.position;
    const m = BARE_VALUE.exec(text);
    if (m === null) return false;
    this.position += m[0].length;
    return this.position < text.length;
  }

  /** Skips a string, escapes included, without validating them. */
  #skipString(): boolean {
    const text = this.#text;
    for (this.position++; this.position < text.length; this.position++) {
      const code = text.charCodeAt(this.position);
      if (code === BACKSLASH) this.position++;
      else if (code === QUOTE) {
        this.position++;
        return true;
      }
    }
    return false;
  }
}
