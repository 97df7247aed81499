import { invalidMessageReason, type JSONRPCMessage, type MessageParams } from '../protocol/messages.js';
import {
  Key,
  scanFrame,
  sliceChunks,
  type FactKey,
  type FrameScan,
  type ScannedMember,
} from './frame-scanner.js';

/**
 * Messages that keep the bytes they arrived as.
 *
 * A frame read by one of our transports in raw-frame mode becomes a *framed message*: an ordinary-looking
 * JSON-RPC object whose `jsonrpc`, `id` and `method` are plain values and whose `params`, `result` and
 * `error` are parsed only when someone reads them. It remembers its frame, so a transport that sends it
 * unchanged writes the original bytes — no `JSON.stringify`, no re-encoding, byte for byte what arrived
 * (escapes, key order and number spellings such as `1.0` or `1e3` included).
 *
 * The bytes can never go stale: {@link rawEncodingOf} hands them out only while the message is exactly as
 * delivered — the same prototype, the same top-level keys in the same order, the same `jsonrpc`/`id`/
 * `method`, and every deep member still behind its untouched accessor. Reading a deep member (which
 * gives the reader an object it may change), assigning, deleting or redefining one ends that: the message
 * is serialised as any other from then on. A stage that changes a message therefore needs no care at
 * all; a stage that only reads the envelope uses the fact readers below, which do not open the message.
 */

const FRAME = Symbol('mcp-switchboard.frame');

type DeepKey = 'params' | 'result' | 'error';
const DEEP_KEYS: readonly DeepKey[] = ['params', 'result', 'error'];

interface FrameState {
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
   * Deep members already parsed and never handed out: all of them for a small frame (parsed whole), the
   * error object of a scanned one (parsed to validate it).
   */
  readonly parsed: Partial<Record<DeepKey, unknown>>;
  /** Deep members handed out (read): they may have changed since, so they are no longer pristine. */
  opened: Partial<Record<DeepKey, true>>;
  /** The scanner's envelope: member ranges and facts (a small frame is scanned only to splice an id). */
  scan: FrameScan | undefined;
  /** Replacement bytes for the id value (a copy made by {@link withFrameId}). */
  readonly idBytes?: Buffer | undefined;
}

type Framed = Record<string | symbol, unknown> & { [FRAME]?: FrameState };

/**
 * Frames up to this size are parsed whole with `JSON.parse` (faster than any scanner written in
 * JavaScript at this size); larger ones are scanned and their deep members parsed only when read.
 * Either way the message keeps its bytes.
 */
export const SCAN_ABOVE_BYTES = 16 * 1024;

function stateOf(message: unknown): FrameState | undefined {
  return typeof message === 'object' && message !== null ? (message as Framed)[FRAME] : undefined;
}

function memberOf(state: FrameState, key: string): ScannedMember | undefined {
  state.scan ??= scanFrame(state.chunks);
  for (const m of state.scan?.members ?? []) if (m.key === key) return m;
  return undefined;
}

function parseRange(chunks: readonly Buffer[], start: number, end: number): unknown {
  return JSON.parse(sliceChunks(chunks, start, end).toString('utf8'));
}

/**
 * Opens a deep member: parses it (once) and hands it out. The accessor stays (redefining the property
 * would make the object slow for every later reader); the member is marked opened instead.
 */
function open(message: Framed, key: DeepKey): unknown {
  const state = message[FRAME] as FrameState;
  let value = state.parsed[key];
  if (value === undefined) {
    const m = memberOf(state, key) as ScannedMember;
    value = parseRange(state.chunks, m.start, m.end);
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
function untouched(message: Framed, key: DeepKey): boolean {
  // Our accessor still in place (not assigned, deleted or redefined) and never read.
  return (
    (message[FRAME] as FrameState).opened[key] !== true &&
    Object.getOwnPropertyDescriptor(message, key)?.get === ACCESSORS[key].get
  );
}

/** A top-level scalar member's value: strings without escapes and numbers are read without JSON.parse. */
function scalarOf(chunks: readonly Buffer[], m: ScannedMember): unknown {
  const bytes = sliceChunks(chunks, m.start, m.end);
  if (m.kind === 0x22) {
    if (bytes.indexOf(0x5c) === -1) return bytes.toString('utf8', 1, bytes.length - 1);
  } else if (m.kind === 0x2d || (m.kind >= 0x30 && m.kind <= 0x39)) {
    // The scanner checked the JSON number grammar, on which Number() and JSON.parse agree.
    return Number(bytes.toString('latin1'));
  }
  return JSON.parse(bytes.toString('utf8'));
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
function build(state: FrameState, values: Record<string, unknown>): JSONRPCMessage {
  const message = shaped(state.keys, values);
  // Not enumerable: invisible to JSON, spread copies and deep-equality checks.
  FRAME_DESCRIPTOR.value = state;
  Object.defineProperty(message, FRAME, FRAME_DESCRIPTOR);
  FRAME_DESCRIPTOR.value = undefined;
  return message as unknown as JSONRPCMessage;
}

/** A scanned (large) frame as a framed message, or `undefined` when it is not a valid JSON-RPC message. */
function scannedMessage(chunks: readonly Buffer[], scan: FrameScan): JSONRPCMessage | undefined {
  const probe: Record<string, unknown> = {};
  const parsed: Partial<Record<DeepKey, unknown>> = {};
  const keys: string[] = [];
  for (const m of scan.members) {
    keys.push(m.key);
    if (m.key === 'params' || m.key === 'result' || m.key === 'error') {
      // Valid messages have objects here; anything else is for the ordinary path to refuse.
      if (m.kind !== 0x7b) return undefined;
      if (m.key === 'error') parsed.error = probe.error = parseRange(chunks, m.start, m.end);
      else probe[m.key] = {};
    } else probe[m.key] = scalarOf(chunks, m);
  }
  if (invalidMessageReason(probe) !== undefined) return undefined;
  const state: FrameState = {
    chunks,
    start: scan.start,
    end: scan.end,
    singleLine: scan.singleLine,
    keys,
    jsonrpc: probe.jsonrpc,
    id: probe.id,
    method: probe.method,
    parsed,
    opened: {},
    scan,
  };
  return build(state, probe);
}

const isWsByte = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** A small frame, parsed whole, as a framed message; `undefined` when not valid JSON or not a message. */
function parsedMessage(chunks: readonly Buffer[], byteLength: number): JSONRPCMessage | undefined {
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, byteLength);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (invalidMessageReason(value) !== undefined) return undefined;
  const record = value as Record<string, unknown>;
  let start = 0;
  let end = bytes.length;
  while (start < end && isWsByte(bytes[start])) start++;
  while (end > start && isWsByte(bytes[end - 1])) end--;
  // CR and LF are never raw inside JSON strings: any of them is whitespace between tokens.
  const lf = bytes.indexOf(0x0a, start);
  const cr = bytes.indexOf(0x0d, start);
  const singleLine = (lf === -1 || lf >= end) && (cr === -1 || cr >= end);
  const keys = Object.keys(record);
  const parsed: Partial<Record<DeepKey, unknown>> = {};
  for (const key of keys) {
    if (key === 'params' || key === 'result' || key === 'error') parsed[key] = record[key];
  }
  const state: FrameState = {
    chunks: [bytes],
    start,
    end,
    singleLine,
    keys,
    jsonrpc: record.jsonrpc,
    id: record.id,
    method: record.method,
    parsed,
    opened: {},
    scan: undefined,
  };
  return build(state, record);
}

/**
 * Decodes one frame into a framed message, or `undefined` when it is not valid JSON or not a valid
 * JSON-RPC message — or a shape the scanner leaves to `JSON.parse` — (the caller then takes the ordinary
 * path, which refuses it with the usual error, or delivers a plain message).
 *
 * Validation is complete on both paths: a small frame is parsed whole; a large one is checked against
 * the whole JSON grammar and its envelope against the same rules as {@link invalidMessageReason}, only
 * building its deep values is deferred.
 *
 * Duplicate keys: `JSON.parse` keeps the last, and so does the envelope; the bytes keep both, for the
 * receiver to read the same way (every JSON parser we know of keeps the last). A large frame with a
 * duplicated top-level key is not framed at all.
 *
 * @param chunks - the bytes of one frame, in order (kept by reference: the caller must not reuse them)
 * @param scanAbove - frames larger than this are scanned (default {@link SCAN_ABOVE_BYTES})
 */
export function decodeFramedMessage(
  chunks: readonly Buffer[],
  scanAbove = SCAN_ABOVE_BYTES,
): JSONRPCMessage | undefined {
  let byteLength = 0;
  for (const c of chunks) byteLength += c.length;
  if (byteLength <= scanAbove) return parsedMessage(chunks, byteLength);
  const scan = scanFrame(chunks);
  return scan === undefined ? undefined : scannedMessage(chunks, scan);
}

/** The bytes a framed message can be written as. */
export interface RawEncoding {
  /** The JSON text, in pieces (views of the received chunks, no copy). */
  parts: Buffer[];
  byteLength: number;
  /** `false` when whitespace inside the text holds a line break (not one NDJSON line or SSE field). */
  singleLine: boolean;
}

/**
 * The original bytes of a framed message that is still exactly as delivered, else `undefined` (send it
 * as JSON). See the module comment for what "as delivered" means.
 */
export function rawEncodingOf(message: JSONRPCMessage): RawEncoding | undefined {
  const state = stateOf(message);
  if (state === undefined) return undefined;
  const framed = message as unknown as Framed;
  if (Object.getPrototypeOf(framed) !== Object.prototype) return undefined;
  let k = 0;
  for (const key in framed) if (key !== state.keys[k++]) return undefined;
  if (k !== state.keys.length) return undefined;
  if (framed.jsonrpc !== state.jsonrpc || framed.id !== state.id || framed.method !== state.method) {
    return undefined;
  }
  for (const key of DEEP_KEYS) if (Object.hasOwn(framed, key) && !untouched(framed, key)) return undefined;
  const { chunks, start, end } = state;
  const idMember = state.idBytes === undefined ? undefined : memberOf(state, 'id');
  const parts: Buffer[] = [];
  if (idMember === undefined) pushRange(parts, chunks, start, end);
  else {
    pushRange(parts, chunks, start, idMember.start);
    parts.push(state.idBytes as Buffer);
    pushRange(parts, chunks, idMember.end, end);
  }
  let byteLength = 0;
  for (const p of parts) byteLength += p.length;
  return { parts, byteLength, singleLine: state.singleLine };
}

function pushRange(out: Buffer[], chunks: readonly Buffer[], start: number, end: number): void {
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
 * A copy of `message` with another id. A framed message that is still as delivered stays framed: its
 * bytes are written with the id's bytes spliced in (an id translation re-serialises nothing); any other
 * message is copied with `{ ...message, id }`.
 */
export function withFrameId<M extends JSONRPCMessage>(message: M, id: string | number): M {
  const state = stateOf(message);
  if (
    state === undefined ||
    !state.keys.includes('id') ||
    rawEncodingOf(message) === undefined ||
    memberOf(state, 'id') === undefined
  ) {
    return { ...message, id };
  }
  // The copy parses its deep members from the bytes: it shares no object with the original.
  const next: FrameState = {
    ...state,
    parsed: {},
    opened: {},
    id,
    idBytes: Buffer.from(JSON.stringify(id)),
  };
  const framed = message as unknown as Framed;
  const values: Record<string, unknown> = {};
  for (const key of state.keys) values[key] = key === 'id' ? id : key in ACCESSORS ? undefined : framed[key];
  return build(next, values) as M;
}

/** A plain (fully parsed) object with the members of a framed message; any other message as is. */
export function plainMessage(message: JSONRPCMessage): JSONRPCMessage {
  if (stateOf(message) === undefined) return message;
  // The copy reads every member (a small frame's are parsed already, a large one's are parsed now): the
  // framed message is opened and the copy owns the values.
  return { ...message };
}

/**
 * A fact below the top level, read without opening the message: from the frame while its deep member
 * is untouched, else from the object.
 */
function factOf(
  message: JSONRPCMessage,
  deep: DeepKey,
  fact: FactKey,
  read: (value: Record<string, unknown> | undefined) => unknown,
): unknown {
  const framed = message as unknown as Framed;
  const state = stateOf(message);
  if (state === undefined || !untouched(framed, deep)) {
    return read(framed[deep] as Record<string, unknown> | undefined);
  }
  // Never handed out, so as it arrived.
  const pristine = state.parsed[deep];
  if (pristine !== undefined) return read(pristine as Record<string, unknown>);
  const range = state.scan?.facts.get(fact);
  return range === undefined ? undefined : parseRange(state.chunks, range[0], range[1]);
}

type Token = string | number;
const asToken = (v: unknown): Token | undefined =>
  typeof v === 'string' || typeof v === 'number' ? v : undefined;

/** `params._meta.progressToken` of a request, when it is a string or a number. */
export function progressTokenOf(message: JSONRPCMessage): Token | undefined {
  if (!('params' in message)) return undefined;
  return asToken(
    factOf(
      message,
      'params',
      Key.metaProgressToken,
      (params) => (params as MessageParams | undefined)?._meta?.progressToken,
    ),
  );
}

/** A member of `params` that envelopes route by: `progressToken` (progress), `requestId` (cancelled), `name`. */
export function paramOf(message: JSONRPCMessage, name: 'progressToken' | 'requestId' | 'name'): unknown {
  if (!('params' in message)) return undefined;
  const fact =
    name === 'progressToken' ? Key.paramsProgressToken : name === 'requestId' ? Key.requestId : Key.name;
  return factOf(message, 'params', fact, (params) => params?.[name]);
}

/** `true` for a result with `isError: true` (a tool error). */
export function isToolErrorResult(message: JSONRPCMessage): boolean {
  if (!('result' in message)) return false;
  return factOf(message, 'result', Key.isError, (result) => result?.isError) === true;
}

/**
 * `true` when the result has a member `name` (`task`, `_meta`), read without opening the message; `false`
 * for a message without a result.
 */
export function resultHas(message: JSONRPCMessage, name: 'task' | '_meta'): boolean {
  if (!('result' in message)) return false;
  const fact = name === 'task' ? Key.resultTask : Key.resultMeta;
  // A fact that is there has a value (JSON has no undefined): its presence is the answer.
  return factOf(message, 'result', fact, (result) => result?.[name]) !== undefined;
}

/** `true` for a message that keeps its frame (delivered in raw-frame mode). */
export function isFramedMessage(message: JSONRPCMessage): boolean {
  return stateOf(message) !== undefined;
}
