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
  readonly scan: FrameScan;
  /** Top-level keys in frame order. */
  readonly keys: readonly string[];
  readonly jsonrpc: unknown;
  readonly id: unknown;
  readonly method: unknown;
  /** Deep members already parsed (the error object is parsed to validate it). */
  readonly parsed: Partial<Record<DeepKey, unknown>>;
  /** Replacement bytes for the id value (a copy made by {@link withFrameId}). */
  readonly idBytes?: Buffer | undefined;
}

type Framed = Record<string | symbol, unknown> & { [FRAME]?: FrameState };

function stateOf(message: unknown): FrameState | undefined {
  return typeof message === 'object' && message !== null ? (message as Framed)[FRAME] : undefined;
}

function memberOf(state: FrameState, key: string): ScannedMember | undefined {
  for (const m of state.scan.members) if (m.key === key) return m;
  return undefined;
}

function parseRange(chunks: readonly Buffer[], start: number, end: number): unknown {
  return JSON.parse(sliceChunks(chunks, start, end).toString('utf8'));
}

/** Opens a deep member: parses it (once), and turns the accessor into a plain data property. */
function open(message: Framed, key: DeepKey): unknown {
  const state = message[FRAME] as FrameState;
  let value = state.parsed[key];
  if (value === undefined) {
    const m = memberOf(state, key) as ScannedMember;
    value = parseRange(state.chunks, m.start, m.end);
  }
  Object.defineProperty(message, key, { value, writable: true, enumerable: true, configurable: true });
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
  return Object.getOwnPropertyDescriptor(message, key)?.get === ACCESSORS[key].get;
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

/**
 * Builds the framed message of a scanned frame, or `undefined` when the frame is not a valid JSON-RPC
 * message (the caller then takes the ordinary path, which refuses it with the usual error).
 */
function framedMessage(chunks: readonly Buffer[], scan: FrameScan): JSONRPCMessage | undefined {
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
    scan,
    keys,
    jsonrpc: probe.jsonrpc,
    id: probe.id,
    method: probe.method,
    parsed,
  };
  const message: Framed = {};
  for (const key of keys) {
    if (key === 'params' || key === 'result' || key === 'error') {
      Object.defineProperty(message, key, ACCESSORS[key]);
    } else message[key] = probe[key];
  }
  Object.defineProperty(message, FRAME, { value: state });
  return message as unknown as JSONRPCMessage;
}

/**
 * Scans a frame and returns it as a framed message, or `undefined` when the scanner does not vouch for
 * it (not valid JSON, not a valid message, or a shape it leaves to `JSON.parse`).
 *
 * Validation is complete: the whole text is checked against the JSON grammar, and the envelope against
 * the same rules as {@link invalidMessageReason}; only building the deep values is deferred.
 *
 * @param chunks - the bytes of one frame, in order (kept by reference: the caller must not reuse them)
 */
export function decodeFramedMessage(chunks: readonly Buffer[]): JSONRPCMessage | undefined {
  const scan = scanFrame(chunks);
  return scan === undefined ? undefined : framedMessage(chunks, scan);
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
  const { chunks, scan } = state;
  const idMember = state.idBytes === undefined ? undefined : memberOf(state, 'id');
  const parts: Buffer[] = [];
  if (idMember === undefined) pushRange(parts, chunks, scan.start, scan.end);
  else {
    pushRange(parts, chunks, scan.start, idMember.start);
    parts.push(state.idBytes as Buffer);
    pushRange(parts, chunks, idMember.end, scan.end);
  }
  let byteLength = 0;
  for (const p of parts) byteLength += p.length;
  return { parts, byteLength, singleLine: scan.singleLine };
}

function pushRange(out: Buffer[], chunks: readonly Buffer[], start: number, end: number): void {
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
  if (state === undefined || !state.keys.includes('id') || rawEncodingOf(message) === undefined) {
    return { ...message, id };
  }
  const copy: Framed = {};
  const framed = message as unknown as Framed;
  for (const key of state.keys) {
    if (key === 'id') copy.id = id;
    else if (key === 'params' || key === 'result' || key === 'error') {
      Object.defineProperty(copy, key, ACCESSORS[key]);
    } else copy[key] = framed[key];
  }
  const next: FrameState = { ...state, parsed: {}, id, idBytes: Buffer.from(JSON.stringify(id)) };
  Object.defineProperty(copy, FRAME, { value: next });
  return copy as unknown as M;
}

/** A plain (fully parsed) copy of a framed message; any other message as is. */
export function plainMessage(message: JSONRPCMessage): JSONRPCMessage {
  if (stateOf(message) === undefined) return message;
  const raw = rawEncodingOf(message);
  if (raw === undefined) return JSON.parse(JSON.stringify(message)) as JSONRPCMessage;
  return JSON.parse(Buffer.concat(raw.parts, raw.byteLength).toString('utf8')) as JSONRPCMessage;
}

/**
 * A fact below the top level, read without opening the message: from the frame while its deep member
 * is untouched, else from the object.
 */
function factOf(message: JSONRPCMessage, deep: DeepKey, fact: FactKey, read: () => unknown): unknown {
  const state = stateOf(message);
  if (state === undefined || !untouched(message as unknown as Framed, deep)) return read();
  const range = state.scan.facts.get(fact);
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
      () => (message as { params?: MessageParams }).params?._meta?.progressToken,
    ),
  );
}

/** A member of `params` that envelopes route by: `progressToken` (progress), `requestId` (cancelled), `name`. */
export function paramOf(message: JSONRPCMessage, name: 'progressToken' | 'requestId' | 'name'): unknown {
  if (!('params' in message)) return undefined;
  const fact =
    name === 'progressToken' ? Key.paramsProgressToken : name === 'requestId' ? Key.requestId : Key.name;
  return factOf(
    message,
    'params',
    fact,
    () => (message.params as Record<string, unknown> | undefined)?.[name],
  );
}

/** `true` for a result with `isError: true` (a tool error). */
export function isToolErrorResult(message: JSONRPCMessage): boolean {
  if (!('result' in message)) return false;
  return (
    factOf(
      message,
      'result',
      Key.isError,
      () => (message.result as { isError?: unknown } | undefined)?.isError,
    ) === true
  );
}

/**
 * `true` when the result has a member `name` (`task`, `_meta`), read without opening the message; `false`
 * for a message without a result.
 */
export function resultHas(message: JSONRPCMessage, name: 'task' | '_meta'): boolean {
  if (!('result' in message)) return false;
  const state = stateOf(message);
  if (state === undefined || !untouched(message as unknown as Framed, 'result')) {
    return (message.result as Record<string, unknown> | undefined)?.[name] !== undefined;
  }
  const range = state.scan.facts.get(name === 'task' ? Key.resultTask : Key.resultMeta);
  // JSON has no undefined: a member that is there has a value.
  return range !== undefined;
}

/** `true` for a message that keeps its frame (delivered in raw-frame mode). */
export function isFramedMessage(message: JSONRPCMessage): boolean {
  return stateOf(message) !== undefined;
}
