/**
 * Where the members of a JSON object lie in its bytes, for a stage that splices a frame (inserts or
 * removes a member) instead of parsing and re-serialising it.
 *
 * The text must be JSON that `JSON.parse` (or the frame scanner) already accepted: the walk follows the
 * structure without validating it again. It still checks what keeps it in bounds and answers `undefined`
 * where the bytes are not what it expects, never throws, and reads each byte a bounded number of times
 * (strings are skipped with the scanner's word-at-a-time run search, no recursion beyond one nested level).
 *
 * ASCII bytes always decode as themselves in UTF-8 (also next to invalid sequences, which become U+FFFD),
 * so the structure read from the bytes is the structure `JSON.parse` saw in the decoded text.
 */
import { plainBytes, plainRunEnd } from './frame-scanner.js';

/** Key names a walk tells apart, with their codes (any other key gets 0); made by {@link keyTable}. */
export interface KeyTable {
  /** Each name's JSON bytes, quotes included. */
  readonly bytes: readonly Buffer[];
  readonly codes: readonly number[];
  readonly names: readonly string[];
}

/**
 * A key table from names and codes (codes other than 0).
 *
 * @param entries - key name → code
 * @returns the table, for {@link objectLayout}
 * @example
 * ```ts
 * const RESULT_KEYS = keyTable({ resultType: 1, _meta: 2 });
 * ```
 */
export function keyTable(entries: Record<string, number>): KeyTable {
  const names = Object.keys(entries);
  return {
    bytes: names.map((name) => Buffer.from(JSON.stringify(name))),
    codes: names.map((name) => entries[name] as number),
    names,
  };
}

/** One member of an object: byte offsets in the text. */
export interface JsonMember {
  /** The key's code in the walk's table; 0 for any other key. */
  code: number;
  /** The key's opening quote. */
  keyStart: number;
  /** The value's first byte. */
  valueStart: number;
  /** Just past the value's last byte. */
  valueEnd: number;
  /** The members of the value, when it is an object and a nested table was given for this key. */
  nested?: ObjectLayout | undefined;
}

/** An object's extent and its members, in text order (a duplicated key appears each time). */
export interface ObjectLayout {
  /** The opening brace. */
  start: number;
  /** Just past the closing brace. */
  end: number;
  members: JsonMember[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isWs = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWs(text: Uint8Array, i: number, n: number): number {
  while (i < n && isWs(text[i])) i++;
  return i;
}

/** Strings are read byte by byte this far; a longer one goes on a word at a time. */
const SHORT_STRING = 64;

/** Just past the string whose opening quote is at `i`, or -1. */
function stringEnd(text: Uint8Array, i: number, n: number): number {
  i++;
  for (const stop = Math.min(n, i + SHORT_STRING); i < stop; i++) {
    const c = text[i] as number;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
    else if (c < 0x20) return -1; // a raw control character: not the JSON it should be
  }
  for (;;) {
    i = plainRunEnd(text, i, n);
    if (i >= n) return -1;
    const c = text[i];
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) return -1; // a raw control character: not the JSON it should be
    i += 2;
  }
}

/** Just past the value that starts at `i`, or -1. */
function valueEnd(text: Uint8Array, i: number, n: number): number {
  const first = text[i];
  if (first === QUOTE) return stringEnd(text, i, n);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    while (i < n) {
      const c = text[i] as number;
      if (c === QUOTE) {
        i = stringEnd(text, i, n);
        if (i < 0) return -1;
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return i + 1;
      i++;
    }
    return -1;
  }
  // A number or a literal: up to the next structural byte or whitespace.
  const start = i;
  while (i < n) {
    const c = text[i];
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isWs(c)) break;
    i++;
  }
  return i > start ? i : -1;
}

/**
 * The code of the key at [start, end) of `text` (quotes included) in `keys`, or 0.
 *
 * @param text - bytes holding the key
 * @param start - offset of its opening quote
 * @param end - just past its closing quote
 * @param keys - the table
 * @returns the key's code, 0 for a key not in the table
 * @example
 * ```ts
 * keyCode(Buffer.from('"_meta"'), 0, 7, keyTable({ _meta: 1 })); // 1
 * ```
 */
export function keyCode(text: Uint8Array, start: number, end: number, keys: KeyTable): number {
  const length = end - start;
  const { bytes, codes } = keys;
  let escaped = false;
  for (let t = 0; t < bytes.length; t++) {
    const name = bytes[t] as Buffer;
    if (name.length !== length) continue;
    let k = 1; // the quotes match
    while (k < length - 1 && text[start + k] === name[k]) k++;
    if (k === length - 1) return codes[t] as number;
    if (text[start + k] === BACKSLASH) escaped = true;
  }
  if (!escaped) {
    // A key spelled with escapes may be longer than its name: look for one.
    for (let k = start + 1; k < end - 1 && !escaped; k++) escaped = text[k] === BACKSLASH;
    if (!escaped) return 0;
  }
  // Rare: an escaped key is compared by value.
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8', start, end));
  } catch {
    return 0;
  }
  const t = keys.names.indexOf(value as string);
  return t === -1 ? 0 : (keys.codes[t] as number);
}

/**
 * The members of the object whose opening brace is at `at`.
 *
 * @param text - valid JSON text (see the module comment)
 * @param at - offset of the object's `{`
 * @param keys - the keys to tell apart
 * @param nested - for a key code, the table of the members of its value (walked when it is an object)
 * @param limit - where the text ends (default: the buffer's end)
 * @returns the layout, or `undefined` when the bytes are not a JSON object there
 * @example
 * ```ts
 * const layout = objectLayout(Buffer.from('{"a":1,"b":{"c":2}}'), 0, keyTable({ b: 1 }));
 * layout?.members[1]; // { code: 1, keyStart: 7, valueStart: 11, valueEnd: 18 }
 * ```
 */
export function objectLayout(
  text: Uint8Array,
  at: number,
  keys: KeyTable,
  nested?: (code: number) => KeyTable | undefined,
  limit = text.length,
): ObjectLayout | undefined {
  return layoutOf(plainBytes(text), at, keys, nested, Math.min(limit, text.length));
}

/** {@link objectLayout} on a {@link plainBytes} view, `n` at most its length. */
function layoutOf(
  text: Uint8Array,
  at: number,
  keys: KeyTable,
  nested: ((code: number) => KeyTable | undefined) | undefined,
  n: number,
): ObjectLayout | undefined {
  if (at < 0 || at >= n || text[at] !== OPEN_OBJECT) return undefined;
  const members: JsonMember[] = [];
  let i = skipWs(text, at + 1, n);
  if (i < n && text[i] === CLOSE_OBJECT) return { start: at, end: i + 1, members };
  for (;;) {
    if (i >= n || text[i] !== QUOTE) return undefined;
    const keyStart = i;
    const keyEnd = stringEnd(text, i, n);
    if (keyEnd < 0) return undefined;
    const code = keyCode(text, keyStart, keyEnd, keys);
    i = skipWs(text, keyEnd, n);
    if (i >= n || text[i] !== COLON) return undefined;
    const valueStart = skipWs(text, i + 1, n);
    const table = code === 0 || nested === undefined ? undefined : nested(code);
    let inner: ObjectLayout | undefined;
    let end: number;
    if (table !== undefined && valueStart < n && text[valueStart] === OPEN_OBJECT) {
      inner = layoutOf(text, valueStart, table, undefined, n);
      if (inner === undefined) return undefined;
      end = inner.end;
    } else {
      if (valueStart >= n) return undefined;
      end = valueEnd(text, valueStart, n);
      if (end < 0) return undefined;
    }
    members.push({ code, keyStart, valueStart, valueEnd: end, nested: inner });
    i = skipWs(text, end, n);
    const c = i < n ? text[i] : -1;
    if (c === COMMA) {
      i = skipWs(text, i + 1, n);
      continue;
    }
    if (c === CLOSE_OBJECT) return { start: at, end: i + 1, members };
    return undefined;
  }
}
