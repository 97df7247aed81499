/**
 * A validating scanner of one JSON-RPC frame held as a list of byte chunks: it checks the whole text
 * against the JSON grammar (exactly what `JSON.parse` accepts, never more) and records the envelope —
 * the top-level members with their byte ranges, and a few facts a relay needs (`params._meta.
 * progressToken`, `params.progressToken`, `params.requestId`, `params.name`, `result.isError`, whether
 * `result` has `task` or `_meta`, `error.code`) — without building any value. Linear in the frame's size, iterative (no recursion),
 * no backtracking; strings, where the bytes of a large frame are, are skipped four bytes at a time.
 *
 * It answers only for what it understands: a frame whose top level is not an object, with a key
 * other than the six JSON-RPC members or with a duplicated top-level key is "not scanned" (`undefined`),
 * and the caller takes the ordinary path (`JSON.parse`), which produces the refusals.
 */

/** Codes of the keys the scanner records; 0 = not interesting. */
export const Key = {
  jsonrpc: 1,
  id: 2,
  method: 3,
  params: 4,
  result: 5,
  error: 6,
  meta: 10,
  paramsProgressToken: 11,
  requestId: 12,
  name: 13,
  metaProgressToken: 20,
  isError: 30,
  resultTask: 31,
  resultMeta: 32,
  errorCode: 40,
} as const;

/** The facts a frame may carry below the top level, by key code. */
export type FactKey =
  | typeof Key.paramsProgressToken
  | typeof Key.requestId
  | typeof Key.name
  | typeof Key.metaProgressToken
  | typeof Key.isError
  | typeof Key.resultTask
  | typeof Key.resultMeta
  | typeof Key.errorCode;

/** One top-level member: its key and the byte range of its value (absolute offsets in the frame). */
export interface ScannedMember {
  key: 'jsonrpc' | 'id' | 'method' | 'params' | 'result' | 'error';
  start: number;
  end: number;
  /** First byte of the value: `{`, `"`, a digit, … */
  kind: number;
}

/** A member of the top-level `result` object: byte ranges of its key (quotes included) and its value. */
export interface ResultMember {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** What a successful scan found. */
export interface FrameScan {
  /** Offset of the first byte of the JSON text (leading whitespace excluded). */
  start: number;
  /** Offset just past the last byte of the JSON text (trailing whitespace excluded). */
  end: number;
  /** `false` when whitespace between tokens holds a CR or LF (the text cannot be one NDJSON line). */
  singleLine: boolean;
  members: ScannedMember[];
  /** Byte ranges of the facts found, by key code. */
  facts: Map<FactKey, [number, number]>;
  /**
   * The members of `result`, in frame order (a duplicated key each time), for a stage that splices the
   * result without walking its bytes again.
   */
  resultMembers: ResultMember[];
}

/** Key names and their codes, by container tag; matched against the raw bytes of a key. */
type KeyTable = readonly (readonly [Buffer, number])[];
const table = (entries: Record<string, number>): KeyTable =>
  Object.entries(entries).map(([name, code]) => [Buffer.from(`"${name}"`), code] as const);
const ROOT_KEYS = table({
  jsonrpc: Key.jsonrpc,
  id: Key.id,
  method: Key.method,
  params: Key.params,
  result: Key.result,
  error: Key.error,
});
const PARAMS_KEYS = table({
  _meta: Key.meta,
  progressToken: Key.paramsProgressToken,
  requestId: Key.requestId,
  name: Key.name,
});
const META_KEYS = table({ progressToken: Key.metaProgressToken });
const RESULT_KEYS = table({ isError: Key.isError, task: Key.resultTask, _meta: Key.resultMeta });
const ERROR_KEYS = table({ code: Key.errorCode });

// Container tags: which keys of a container matter.
const T_NONE = 0;
const T_ROOT = 1;
const T_PARAMS = 2;
const T_META = 3;
const T_RESULT = 4;
const T_ERROR = 5;
const KEYS_OF: readonly (KeyTable | undefined)[] = [
  undefined,
  ROOT_KEYS,
  PARAMS_KEYS,
  META_KEYS,
  RESULT_KEYS,
  ERROR_KEYS,
];

// Scanner states.
const S_START = 0; // before the top-level value
const S_VALUE = 1; // a value is expected
const S_KEY_OR_CLOSE = 2; // just after `{`
const S_KEY = 3; // after `,` in an object
const S_COLON = 4;
const S_AFTER = 5; // after a value inside a container
const S_STRING = 6;
const S_NUMBER = 7;
const S_LITERAL = 8;
const S_DONE = 9; // the top-level value ended: only whitespace may follow
const S_FAILED = 10;
const S_ARRAY_START = 11; // just after `[`: a value or `]`

/** Deeper nesting is left to `JSON.parse` (a bound on this scanner's memory, not a refusal). */
const MAX_DEPTH = 256;

// Number states (which characters may come next).
const N_MINUS = 0; // after '-': a digit
const N_ZERO = 1; // after a leading 0: '.', 'e' or the end
const N_INT = 2; // in integer digits
const N_DOT = 3; // after '.': a digit
const N_FRAC = 4; // in fraction digits
const N_E = 5; // after 'e': sign or digit
const N_ESIGN = 6; // after the exponent sign: a digit
const N_EXP = 7; // in exponent digits

const EMPTY = Buffer.alloc(0);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OBJECT = 1;
const ARRAY = 2;

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** The characters that may follow a backslash (besides `u`). */
const isEscape = (c: number): boolean =>
  c === QUOTE ||
  c === BACKSLASH ||
  c === 0x2f ||
  c === 0x62 ||
  c === 0x66 ||
  c === 0x6e ||
  c === 0x72 ||
  c === 0x74;

const LITERALS: Readonly<Record<number, Buffer>> = {
  0x74: Buffer.from('true'),
  0x66: Buffer.from('false'),
  0x6e: Buffer.from('null'),
};

/**
 * A plain `Uint8Array` view of `bytes` (no copy), for the byte loops of the scanners.
 *
 * Buffers do not all share one V8 map: a Buffer made in JavaScript (`Buffer.from`, `subarray`) and one
 * made by Node's C++ side (a socket read, an HTTP body chunk) differ. A loop optimised on one kind is
 * deoptimised by the other, and a long string loop entered through on-stack replacement was seen doing
 * that on every call (`--trace-deopt`: 239 deoptimisations of {@link plainRunEnd} in 3,000 64 KiB
 * echoes through `serve`). Views made here all share the map of `Uint8Array`.
 *
 * @param bytes - any Buffer or Uint8Array
 * @returns a `Uint8Array` over the same memory
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Strings shorter than this are read byte by byte; longer runs four bytes at a time. */
const WORD_SCAN_MIN = 32;

/**
 * Index of the first byte in `chunk[i..n)` that ends a run of plain string content — a quote, a
 * backslash or a control character (< 0x20) — or `n`. Long runs are read as 32-bit words with the
 * classic "has a byte less than / equal to" bit tricks (exact for the question "is there one"; the
 * word that answers yes is then read byte by byte).
 *
 * @param chunk - the bytes: a {@link plainBytes} view where the caller loops over many chunks
 * @param i - where the run starts
 * @param n - where to stop looking (at most `chunk.length`)
 * @returns the index of the byte that ends the run, or `n`
 * @example
 * ```ts
 * plainRunEnd(plainBytes(Buffer.from('abc"')), 0, 4); // 3
 * ```
 */
export function plainRunEnd(chunk: Uint8Array, i: number, n: number): number {
  if (n - i >= WORD_SCAN_MIN) {
    // Byte by byte up to a 4-byte boundary of the underlying memory.
    const lead = (4 - ((chunk.byteOffset + i) & 3)) & 3;
    for (const stop = i + lead; i < stop; i++) {
      const c = chunk[i] as number;
      if (c === QUOTE || c === BACKSLASH || c < 0x20) return i;
    }
    const words = (n - i) >>> 2;
    const view = new Uint32Array(chunk.buffer, chunk.byteOffset + i, words);
    let w = 0;
    for (; w < words; w++) {
      const x = view[w] as number;
      const q = x ^ 0x22222222;
      const b = x ^ 0x5c5c5c5c;
      if ((((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) break;
    }
    i += w << 2;
  }
  for (; i < n; i++) {
    const c = chunk[i] as number;
    if (c === QUOTE || c === BACKSLASH || c < 0x20) return i;
  }
  return n;
}

/**
 * Scans the frame made of `chunks` (in order) and returns its envelope, or `undefined` when the frame is
 * not valid JSON or not a shape this scanner vouches for (see the module comment). Never throws.
 *
 * @param chunks - the frame's bytes (without the NDJSON newline)
 */
export function scanFrame(chunks: readonly Buffer[]): FrameScan | undefined {
  try {
    const scanner = new FrameScanner(chunks);
    return scanner.run();
  } catch {
    // Unreachable by design (only bounded indexing); the ordinary path decides instead.
    return undefined;
  }
}

class FrameScanner {
  readonly #chunks: readonly Buffer[];
  #state = S_START;
  /** The chunk being read, and the offset of its first byte in the frame. */
  #chunk: Uint8Array = EMPTY;
  #base = 0;
  // Open containers: kind, tag, the key code of the member being read, where its value started.
  readonly #kinds: number[] = [];
  readonly #tags: number[] = [];
  readonly #keys: number[] = [];
  readonly #valueStarts: number[] = [];
  readonly #valueKinds: number[] = [];
  #depth = 0;
  // The string being read.
  #strStart = 0;
  #strIsKey = false;
  /** 0: plain; 1: after a backslash; 2…5: hex digits still expected after `\u`. */
  #esc = 0;
  #strEscaped = false;
  // The number or literal being read.
  #num = N_INT;
  #lit: Buffer | undefined;
  #litPos = 0;
  // Results.
  #start = -1;
  #end = -1;
  #singleLine = true;
  readonly #members: ScannedMember[] = [];
  #rootSeen = 0;
  readonly #facts = new Map<FactKey, [number, number]>();
  readonly #resultMembers: ResultMember[] = [];
  /** The key of the `result` member being read. */
  #resultKeyStart = 0;
  #resultKeyEnd = 0;

  constructor(chunks: readonly Buffer[]) {
    this.#chunks = chunks;
  }

  run(): FrameScan | undefined {
    for (const chunk of this.#chunks) {
      const bytes = plainBytes(chunk);
      this.#chunk = bytes;
      this.#scan(bytes);
      if (this.#state === S_FAILED) return undefined;
      this.#base += chunk.length;
    }
    if (this.#state === S_NUMBER || this.#state === S_LITERAL) return undefined; // top level is an object
    if (this.#state !== S_DONE) return undefined;
    return {
      start: this.#start,
      end: this.#end,
      singleLine: this.#singleLine,
      members: this.#members,
      facts: this.#facts,
      resultMembers: this.#resultMembers,
    };
  }

  #scan(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const state = this.#state;
      if (state === S_STRING) {
        i = this.#string(chunk, i, n);
        continue;
      }
      const c = chunk[i] as number;
      if (state === S_NUMBER) {
        if (this.#numberByte(c)) {
          i++;
          continue;
        }
        if (!this.#numberComplete()) return this.#fail();
        this.#valueDone(this.#base + i);
        continue; // the byte that ended the number is read again in the new state
      }
      if (state === S_LITERAL) {
        const lit = this.#lit as Buffer;
        if (c !== lit[this.#litPos]) return this.#fail();
        i++;
        if (++this.#litPos === lit.length) this.#valueDone(this.#base + i);
        continue;
      }
      if (isWs(c)) {
        if ((c === 0x0a || c === 0x0d) && state !== S_START && state !== S_DONE) this.#singleLine = false;
        i++;
        continue;
      }
      switch (state) {
        case S_START:
          if (c !== 0x7b) return this.#fail();
          this.#start = this.#base + i;
          this.#open(OBJECT, T_ROOT);
          break;
        case S_VALUE:
          if (!this.#beginValue(c, this.#base + i)) return this.#fail();
          break;
        case S_ARRAY_START:
          if (c === 0x5d) this.#close(this.#base + i + 1);
          else if (!this.#beginValue(c, this.#base + i)) return this.#fail();
          break;
        case S_KEY_OR_CLOSE:
          if (c === 0x7d) this.#close(this.#base + i + 1);
          else if (c === QUOTE) this.#beginString(this.#base + i, true);
          else return this.#fail();
          break;
        case S_KEY:
          if (c !== QUOTE) return this.#fail();
          this.#beginString(this.#base + i, true);
          break;
        case S_COLON:
          if (c !== 0x3a) return this.#fail();
          this.#state = S_VALUE;
          break;
        case S_AFTER: {
          const kind = this.#kinds[this.#depth - 1];
          if (c === 0x2c) this.#state = kind === OBJECT ? S_KEY : S_VALUE;
          else if (c === 0x7d && kind === OBJECT) this.#close(this.#base + i + 1);
          else if (c === 0x5d && kind === ARRAY) this.#close(this.#base + i + 1);
          else return this.#fail();
          break;
        }
        default:
          // S_DONE: only whitespace may follow the top-level value.
          return this.#fail();
      }
      if (this.#state === S_FAILED) return;
      i++;
    }
  }

  #fail(): void {
    this.#state = S_FAILED;
  }

  #open(kind: number, tag: number): void {
    if (this.#depth >= MAX_DEPTH) {
      this.#fail();
      return;
    }
    const d = this.#depth++;
    this.#kinds[d] = kind;
    this.#tags[d] = tag;
    this.#keys[d] = 0;
    this.#state = kind === OBJECT ? S_KEY_OR_CLOSE : S_ARRAY_START;
  }

  #close(end: number): void {
    this.#depth--;
    if (this.#depth === 0) {
      this.#end = end;
      this.#state = S_DONE;
      return;
    }
    this.#valueDone(end);
  }

  /** A value starts at `at` with byte `c`. */
  #beginValue(c: number, at: number): boolean {
    const d = this.#depth - 1;
    this.#valueStarts[d] = at;
    this.#valueKinds[d] = c;
    const tag = this.#tags[d] as number;
    // A later `_meta` replaces an earlier one (JSON.parse keeps the last): forget what it said.
    if (tag === T_PARAMS && this.#keys[d] === Key.meta) this.#facts.delete(Key.metaProgressToken);
    if (c === QUOTE) {
      this.#beginString(at, false);
      return true;
    }
    if (c === 0x7b || c === 0x5b) {
      this.#open(c === 0x7b ? OBJECT : ARRAY, c === 0x7b ? childTag(tag, this.#keys[d] as number) : T_NONE);
      return true;
    }
    if (c === 0x2d || isDigit(c)) {
      this.#num = c === 0x2d ? N_MINUS : c === 0x30 ? N_ZERO : N_INT;
      this.#state = S_NUMBER;
      return true;
    }
    const lit = LITERALS[c];
    if (lit === undefined) return false;
    this.#lit = lit;
    this.#litPos = 1;
    this.#state = S_LITERAL;
    return true;
  }

  #beginString(at: number, isKey: boolean): void {
    this.#strStart = at;
    this.#strIsKey = isKey;
    this.#esc = 0;
    this.#strEscaped = false;
    this.#state = S_STRING;
  }

  /** Reads string content from `i`; returns where scanning goes on. */
  #string(chunk: Uint8Array, i: number, n: number): number {
    while (i < n) {
      if (this.#esc === 0) {
        i = plainRunEnd(chunk, i, n);
        if (i === n) return n;
        const c = chunk[i] as number;
        if (c === QUOTE) {
          this.#endString(this.#base + i + 1);
          return i + 1;
        }
        if (c === BACKSLASH) {
          this.#esc = 1;
          this.#strEscaped = true;
          i++;
          continue;
        }
        this.#fail(); // a raw control character
        return n;
      }
      const c = chunk[i] as number;
      if (this.#esc === 1) {
        if (c === 0x75) this.#esc = 5;
        else if (isEscape(c)) this.#esc = 0;
        else {
          this.#fail();
          return n;
        }
      } else {
        if (!isHex(c)) {
          this.#fail();
          return n;
        }
        this.#esc = this.#esc === 2 ? 0 : this.#esc - 1;
      }
      i++;
    }
    return n;
  }

  #endString(end: number): void {
    if (!this.#strIsKey) {
      this.#valueDone(end);
      return;
    }
    const d = this.#depth - 1;
    const tag = this.#tags[d] as number;
    let code = 0;
    if (tag === T_RESULT) {
      this.#resultKeyStart = this.#strStart;
      this.#resultKeyEnd = end;
    }
    if (tag !== T_NONE) {
      code = this.#keyCode(KEYS_OF[tag] as KeyTable, this.#strStart, end);
      if (tag === T_ROOT) {
        // Only the JSON-RPC members, each once: anything else is for the ordinary path to refuse.
        if (code === 0 || (this.#rootSeen & (1 << code)) !== 0) {
          this.#fail();
          return;
        }
        this.#rootSeen |= 1 << code;
      }
    }
    this.#keys[d] = code;
    this.#state = S_COLON;
  }

  /** The code of the key literal at [start, end) in `keys`, or 0. */
  #keyCode(keys: KeyTable, start: number, end: number): number {
    if (this.#strEscaped) {
      // Rare: an escaped key is compared by value.
      const value = JSON.parse(sliceChunks(this.#chunks, start, end).toString('utf8')) as string;
      return keys.find(([n]) => n.toString('latin1', 1, n.length - 1) === value)?.[1] ?? 0;
    }
    const length = end - start;
    // The key ends in the current chunk; it usually starts there too.
    let bytes: Uint8Array = this.#chunk;
    let from = start - this.#base;
    if (from < 0) {
      bytes = sliceChunks(this.#chunks, start, end);
      from = 0;
    }
    for (const [name, code] of keys) {
      if (name.length !== length) continue;
      let k = 1; // the quotes match
      while (k < length - 1 && bytes[from + k] === name[k]) k++;
      if (k === length - 1) return code;
    }
    return 0;
  }

  #numberByte(c: number): boolean {
    switch (this.#num) {
      case N_MINUS:
        if (!isDigit(c)) return false;
        this.#num = c === 0x30 ? N_ZERO : N_INT;
        return true;
      case N_ZERO:
      case N_INT:
        if (this.#num === N_INT && isDigit(c)) return true;
        if (c === 0x2e) this.#num = N_DOT;
        else if (c === 0x65 || c === 0x45) this.#num = N_E;
        else return false;
        return true;
      case N_DOT:
      case N_FRAC:
        if (isDigit(c)) {
          this.#num = N_FRAC;
          return true;
        }
        if (this.#num === N_FRAC && (c === 0x65 || c === 0x45)) {
          this.#num = N_E;
          return true;
        }
        return false;
      case N_E:
        if (c === 0x2b || c === 0x2d) {
          this.#num = N_ESIGN;
          return true;
        }
        if (!isDigit(c)) return false;
        this.#num = N_EXP;
        return true;
      default:
        // N_ESIGN, N_EXP
        if (!isDigit(c)) return false;
        this.#num = N_EXP;
        return true;
    }
  }

  #numberComplete(): boolean {
    return this.#num === N_ZERO || this.#num === N_INT || this.#num === N_FRAC || this.#num === N_EXP;
  }

  /** A value inside the container at the top ended at `end`. */
  #valueDone(end: number): void {
    const d = this.#depth - 1;
    this.#state = S_AFTER;
    const tag = this.#tags[d] as number;
    if (tag === T_NONE) return;
    if (tag === T_RESULT) {
      this.#resultMembers.push({
        keyStart: this.#resultKeyStart,
        keyEnd: this.#resultKeyEnd,
        valueStart: this.#valueStarts[d] as number,
        valueEnd: end,
      });
    }
    const key = this.#keys[d] as number;
    if (key === 0) return;
    const start = this.#valueStarts[d] as number;
    if (tag === T_ROOT) {
      const name = ROOT_NAMES[key] as ScannedMember['key'];
      this.#members.push({ key: name, start, end, kind: this.#valueKinds[d] as number });
    } else if (key !== Key.meta) {
      this.#facts.set(key as FactKey, [start, end]);
    }
  }
}

function childTag(parentTag: number, key: number): number {
  if (parentTag === T_ROOT) {
    if (key === Key.params) return T_PARAMS;
    if (key === Key.result) return T_RESULT;
    if (key === Key.error) return T_ERROR;
  } else if (parentTag === T_PARAMS && key === Key.meta) return T_META;
  return T_NONE;
}

const ROOT_NAMES: readonly (string | undefined)[] = [
  undefined,
  'jsonrpc',
  'id',
  'method',
  'params',
  'result',
  'error',
];

/**
 * The bytes [start, end) of a frame held in `chunks` (a view when they lie in one chunk, else a copy).
 */
export function sliceChunks(chunks: readonly Buffer[], start: number, end: number): Buffer {
  let base = 0;
  for (let k = 0; k < chunks.length; k++) {
    const chunk = chunks[k] as Buffer;
    const next = base + chunk.length;
    if (start < next) {
      if (end <= next) return chunk.subarray(start - base, end - base);
      const out = Buffer.allocUnsafe(end - start);
      let written = chunk.copy(out, 0, start - base);
      for (let j = k + 1; written < out.length; j++) {
        const part = chunks[j] as Buffer;
        written += part.copy(out, written, 0, Math.min(part.length, out.length - written));
      }
      return out;
    }
    base = next;
  }
  return Buffer.alloc(0);
}
