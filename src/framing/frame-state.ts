/**
 * The hidden state of a framed message (see `frame-message.ts`) and the object shape that carries it:
 * the frame's bytes, its top-level members, the byte edits of a spliced copy, and the deep members behind
 * accessors that parse on first read. Internal to the framing layer.
 */
import { keyTable, objectLayout, type KeyTable, type ObjectLayout } from './json-members.js';
import { sliceChunks, type FactKey, type FrameScan, type ScannedMember } from './frame-scanner.js';

const FRAME = Symbol('mcp-switchboard.frame');

export type DeepKey = 'params' | 'result' | 'error';
export const DEEP_KEYS: readonly DeepKey[] = ['params', 'result', 'error'];

/** One byte replacement in a frame: `[start, end)` of the original text becomes `bytes`. */
export interface FrameEdit {
  start: number;
  end: number;
  bytes: Buffer;
}

/** A top-level member of a frame: its key and the byte range of its value. */
type TopMember = Pick<ScannedMember, 'key' | 'start' | 'end' | 'kind'>;

export interface FrameState {
  readonly chunks: readonly Buffer[];
  /** Where the JSON text lies in the chunks (surrounding whitespace excluded). */
  readonly start: number;
  readonly end: number;
  readonly singleLine: boolean;
  /** Top-level keys in frame order. */
  readonly keys: readonly string[];
  readonly jsonrpc: unknown;
  readonly id: unknown;
  readonly method: unknown;
  /**
   * Deep members parsed and never handed out: all of them for a small frame (parsed whole), the error
   * object of a scanned one (parsed to validate it), the members an edited copy was given by its editor
   * or parsed for a fact.
   */
  readonly parsed: Partial<Record<DeepKey, unknown>>;
  /** Deep members handed out (read): they may have changed since, so they are no longer pristine. */
  opened: Partial<Record<DeepKey, true>>;
  /** The scanner's envelope: member ranges and facts (a small frame is never scanned). */
  scan: FrameScan | undefined;
  /** Top-level members, found once when needed; `null` when they cannot be told (a duplicated key). */
  top?: readonly TopMember[] | null | undefined;
  /**
   * Byte edits of a spliced copy (a new id, members inserted into or removed from a deep member), in
   * frame offsets, sorted and not overlapping. The copy's deep values are those of the edited bytes.
   */
  readonly edits?: readonly FrameEdit[] | undefined;
  /**
   * Facts of a spliced member its editor left as they were (the members they name were not touched):
   * still read from the scan of the original bytes, without parsing the member.
   */
  readonly keptFacts?: readonly FactKey[] | undefined;
}

export type Framed = Record<string | symbol, unknown> & { [FRAME]?: FrameState };

export function stateOf(message: unknown): FrameState | undefined {
  return typeof message === 'object' && message !== null ? (message as Framed)[FRAME] : undefined;
}

const ROOT_NAMES = ['jsonrpc', 'id', 'method', 'params', 'result', 'error'] as const;
const ROOT_KEYS = keyTable({ jsonrpc: 1, id: 2, method: 3, params: 4, result: 5, error: 6 });

/** A deep member a caller wants laid out while the top level is walked (one pass over the bytes). */
export interface NestedRequest {
  readonly key: 'params' | 'result';
  readonly keys: KeyTable;
  /** Filled when the walk laid the member out. */
  layout?: ObjectLayout | undefined;
}

/**
 * The top-level members of a frame: from its scan, or a walk of its (already validated) text. `undefined`
 * when a key is duplicated (`JSON.parse` kept the last; a splice could not tell which one counts).
 *
 * @param nested - a deep member to lay out in the same walk (only when the walk happens now)
 */
function topMembers(state: FrameState, nested?: NestedRequest): readonly TopMember[] | undefined {
  if (state.top !== undefined) return state.top ?? undefined;
  if (state.scan !== undefined) {
    state.top = state.scan.members;
    return state.top;
  }
  const text = frameText(state);
  const want = nested === undefined ? 0 : nested.key === 'params' ? 4 : 5;
  const layout = objectLayout(text, state.start, ROOT_KEYS, (code) =>
    code === want ? nested?.keys : undefined,
  );
  let seen = 0;
  const top: TopMember[] = [];
  for (const m of layout?.members ?? []) {
    const bit = 1 << m.code;
    if (m.code === 0 || (seen & bit) !== 0) break;
    seen |= bit;
    top.push({
      key: ROOT_NAMES[m.code - 1] as TopMember['key'],
      start: m.valueStart,
      end: m.valueEnd,
      kind: text[m.valueStart] as number,
    });
    if (m.code === want && nested !== undefined) nested.layout = m.nested;
  }
  state.top = layout !== undefined && top.length === layout.members.length ? top : null;
  return state.top ?? undefined;
}

/** The frame's bytes up to the end of its text, in one buffer (the chunk itself for a small frame). */
export function frameText(state: FrameState): Buffer {
  const only = state.chunks.length === 1 ? (state.chunks[0] as Buffer) : undefined;
  return only !== undefined && only.length >= state.end ? only : sliceChunks(state.chunks, 0, state.end);
}

export function memberOf(state: FrameState, key: string, nested?: NestedRequest): TopMember | undefined {
  for (const m of topMembers(state, nested) ?? []) if (m.key === key) return m;
  return undefined;
}

export function parseRange(chunks: readonly Buffer[], start: number, end: number): unknown {
  return JSON.parse(sliceChunks(chunks, start, end).toString('utf8'));
}

/** The bytes `[start, end)` of a frame with its edits applied, as a list of pieces (views, no copies). */
export function editedPieces(state: FrameState, start: number, end: number): Buffer[] {
  const parts: Buffer[] = [];
  const edits = state.edits;
  if (edits === undefined) {
    pushRange(parts, state.chunks, start, end);
    return parts;
  }
  let at = start;
  for (const e of edits) {
    if (e.end <= start || e.start >= end) continue;
    pushRange(parts, state.chunks, at, e.start);
    if (e.bytes.length > 0) parts.push(e.bytes);
    at = e.end;
  }
  pushRange(parts, state.chunks, at, end);
  return parts;
}

/** `true` when an edit lies inside `[start, end)`. */
export function editedWithin(state: FrameState, start: number, end: number): boolean {
  const edits = state.edits;
  if (edits !== undefined) for (const e of edits) if (e.start >= start && e.end <= end) return true;
  return false;
}

/**
 * The value of a deep member parsed from the bytes (with the copy's edits applied). A frame whose top
 * level cannot be told (never the case for a spliced copy) is parsed whole.
 */
export function parseMember(state: FrameState, key: DeepKey): unknown {
  const m = memberOf(state, key);
  if (m === undefined) {
    const whole: unknown = JSON.parse(
      Buffer.concat(editedPieces(state, state.start, state.end)).toString('utf8'),
    );
    return (whole as Record<string, unknown>)[key];
  }
  if (!editedWithin(state, m.start, m.end)) return parseRange(state.chunks, m.start, m.end);
  return JSON.parse(Buffer.concat(editedPieces(state, m.start, m.end)).toString('utf8'));
}

/** Appends the views of `[start, end)` of the chunks to `out`. */
function pushRange(out: Buffer[], chunks: readonly Buffer[], start: number, end: number): void {
  if (end <= start) return;
  const only = chunks.length === 1 ? (chunks[0] as Buffer) : undefined;
  if (only !== undefined && start === 0 && end === only.length) {
    out.push(only);
    return;
  }
  let base = 0;
  for (const chunk of chunks) {
    const next = base + chunk.length;
    if (next > start && base < end) {
      out.push(chunk.subarray(Math.max(0, start - base), Math.min(chunk.length, end - base)));
    }
    if (next >= end) return;
    base = next;
  }
}

/**
 * Opens a deep member: parses it (once) and hands it out. The accessor stays (redefining the property
 * would make the object slow for every later reader); the member is marked opened instead.
 */
function open(message: Framed, key: DeepKey): unknown {
  const state = message[FRAME] as FrameState;
  let value = state.parsed[key];
  if (value === undefined) {
    value = parseMember(state, key);
    state.parsed[key] = value;
  }
  // Handed out now: it may change, so it is no longer pristine for facts, copies or raw bytes.
  state.opened[key] = true;
  return value;
}

function makeAccessor(key: DeepKey): PropertyDescriptor {
  return {
    get(this: Framed): unknown {
      return open(this, key);
    },
    set(this: Framed, value: unknown): void {
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
    enumerable: true,
    configurable: true,
  };
}

const ACCESSORS: Readonly<Record<DeepKey, PropertyDescriptor>> = {
  params: makeAccessor('params'),
  result: makeAccessor('result'),
  error: makeAccessor('error'),
};

/** `true` while the deep member `key` of a framed message was never read, set or redefined. */
export function untouched(message: Framed, key: DeepKey): boolean {
  // Our accessor still in place (not assigned, deleted or redefined) and never read.
  return (
    (message[FRAME] as FrameState).opened[key] !== true &&
    Object.getOwnPropertyDescriptor(message, key)?.get === ACCESSORS[key].get
  );
}

/** Reused for every message (one descriptor object less per message). */
const FRAME_DESCRIPTOR: PropertyDescriptor = { value: undefined };

const define = (message: Framed, key: DeepKey): void => {
  Object.defineProperty(message, key, ACCESSORS[key]);
};

/**
 * A new object with the members in `keys` order, deep members behind their accessors. The key orders
 * the SDKs and most servers write are built by hand (static property names: fast, shared hidden
 * classes); any other order one member at a time.
 */
function shaped(keys: readonly string[], v: Record<string, unknown>): Framed {
  const [a, b, c, d] = keys;
  let m: Framed;
  if (keys.length === 4 && a === 'method' && b === 'params' && c === 'jsonrpc' && d === 'id') {
    m = { method: v.method };
    define(m, 'params');
    m.jsonrpc = v.jsonrpc;
    m.id = v.id;
    return m;
  }
  if (keys.length === 4 && a === 'jsonrpc' && b === 'id' && c === 'method' && d === 'params') {
    m = { jsonrpc: v.jsonrpc, id: v.id, method: v.method };
    define(m, 'params');
    return m;
  }
  if (keys.length === 3) {
    if (a === 'jsonrpc' && b === 'id' && (c === 'result' || c === 'error')) {
      m = { jsonrpc: v.jsonrpc, id: v.id };
      define(m, c);
      return m;
    }
    if (a === 'result' && b === 'jsonrpc' && c === 'id') {
      m = {};
      define(m, 'result');
      m.jsonrpc = v.jsonrpc;
      m.id = v.id;
      return m;
    }
    if (a === 'jsonrpc' && b === 'method' && c === 'params') {
      m = { jsonrpc: v.jsonrpc, method: v.method };
      define(m, 'params');
      return m;
    }
    if (a === 'method' && b === 'params' && c === 'jsonrpc') {
      m = { method: v.method };
      define(m, 'params');
      m.jsonrpc = v.jsonrpc;
      return m;
    }
  }
  m = {};
  for (const key of keys) {
    if (key === 'params' || key === 'result' || key === 'error') define(m, key);
    else m[key] = v[key];
  }
  return m;
}

/** Attaches `state` to a new message holding `values` (deep members behind their accessors). */
export function build(state: FrameState, values: Record<string, unknown>): Framed {
  const message = shaped(state.keys, values);
  // Not enumerable: invisible to JSON, spread copies and deep-equality checks.
  FRAME_DESCRIPTOR.value = state;
  Object.defineProperty(message, FRAME, FRAME_DESCRIPTOR);
  FRAME_DESCRIPTOR.value = undefined;
  return message;
}
