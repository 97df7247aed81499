import {
  invalidMessageReason,
  type JSONRPCMessage,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import {
  Key,
  scanFrame,
  sliceChunks,
  type FactKey,
  type FrameScan,
  type ScannedMember,
} from './frame-scanner.js';
import {
  build,
  DEEP_KEYS,
  editedPieces,
  editedWithin,
  frameText,
  memberOf,
  parseMember,
  parseRange,
  stateOf,
  untouched,
  type DeepKey,
  type FrameEdit,
  type Framed,
  type FrameState,
  type NestedRequest,
} from './frame-state.js';
import { keyCode, objectLayout, type JsonMember, type KeyTable, type ObjectLayout } from './json-members.js';

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

/**
 * Frames up to this size are parsed whole with `JSON.parse` (faster than any scanner written in
 * JavaScript at this size); larger ones are scanned and their deep members parsed only when read.
 * Either way the message keeps its bytes.
 */
export const SCAN_ABOVE_BYTES = 16 * 1024;

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
    top: undefined,
    edits: undefined,
    keptFacts: undefined,
  };
  return build(state, probe) as unknown as JSONRPCMessage;
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
    top: undefined,
    edits: undefined,
    keptFacts: undefined,
  };
  return build(state, record) as unknown as JSONRPCMessage;
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
  /** The JSON text, in pieces (views of the received chunks and of spliced bytes, no copy). */
  parts: Buffer[];
  byteLength: number;
  /** `false` when whitespace inside the text holds a line break (not one NDJSON line or SSE field). */
  singleLine: boolean;
}

/** `true` while a framed message is exactly as delivered (see the module comment). */
function asDelivered(framed: Framed, state: FrameState): boolean {
  if (Object.getPrototypeOf(framed) !== Object.prototype) return false;
  let k = 0;
  for (const key in framed) if (key !== state.keys[k++]) return false;
  if (k !== state.keys.length) return false;
  if (framed.jsonrpc !== state.jsonrpc || framed.id !== state.id || framed.method !== state.method) {
    return false;
  }
  for (const key of DEEP_KEYS) if (Object.hasOwn(framed, key) && !untouched(framed, key)) return false;
  return true;
}

/**
 * The original bytes of a framed message that is still exactly as delivered, else `undefined` (send it
 * as JSON). See the module comment for what "as delivered" means. A spliced copy (a new id, members
 * inserted or removed by {@link editedFrame}) is written as its bytes with the splices in place.
 */
export function rawEncodingOf(message: JSONRPCMessage): RawEncoding | undefined {
  const state = stateOf(message);
  if (state === undefined || !asDelivered(message as unknown as Framed, state)) return undefined;
  const parts = editedPieces(state, state.start, state.end);
  let byteLength = 0;
  for (const p of parts) byteLength += p.length;
  return { parts, byteLength, singleLine: state.singleLine };
}

/** The state of a framed message that may be spliced: as delivered, with an id, its top level known. */
function spliceable(message: JSONRPCMessage, nested?: NestedRequest): FrameState | undefined {
  const state = stateOf(message);
  if (state === undefined || !asDelivered(message as unknown as Framed, state)) return undefined;
  return memberOf(state, 'id', nested) === undefined ? undefined : state;
}

/**
 * A spliced copy of a framed message: another id, and `edits` inside its deep members. The copy takes
 * the parsed values the original held and never handed out (the original parses its bytes again if it
 * is ever read), so the two share no object that one could change under the other.
 */
function splicedCopy(
  message: JSONRPCMessage,
  state: FrameState,
  id: RequestId,
  edits: readonly FrameEdit[],
  edited?: { key: DeepKey; value: unknown; keptFacts: readonly FactKey[] | undefined },
): JSONRPCMessage {
  const idMember = memberOf(state, 'id') as { start: number; end: number };
  const all: FrameEdit[] = [
    { start: idMember.start, end: idMember.end, bytes: Buffer.from(JSON.stringify(id)) },
  ];
  // Earlier splices inside deep members stay; an earlier id splice is replaced.
  for (const e of state.edits ?? []) if (e.start !== idMember.start || e.end !== idMember.end) all.push(e);
  for (const e of edits) all.push(e);
  if (all.length > 1) all.sort((a, b) => a.start - b.start || a.end - b.end);
  const parsed: Partial<Record<DeepKey, unknown>> = {};
  const original = state.parsed as Record<DeepKey, unknown>;
  for (const key of DEEP_KEYS) {
    if (original[key] === undefined) continue;
    // The edited member's original value does not describe the copy (its editor may have built the
    // copy's value from it, so the original gives it up all the same).
    if (key !== edited?.key) parsed[key] = original[key];
    original[key] = undefined;
  }
  if (edited !== undefined && edited.value !== undefined) parsed[edited.key] = edited.value;
  const next: FrameState = {
    chunks: state.chunks,
    start: state.start,
    end: state.end,
    singleLine: state.singleLine,
    keys: state.keys,
    jsonrpc: state.jsonrpc,
    id,
    method: state.method,
    parsed,
    opened: {},
    scan: state.scan,
    top: state.top,
    edits: all,
    keptFacts: edited === undefined ? state.keptFacts : edited.keptFacts,
  };
  const framed = message as unknown as Framed;
  const v: Record<string, unknown> = {};
  for (const key of state.keys) v[key] = key === 'id' ? id : key in ACCESSOR_KEYS ? undefined : framed[key];
  return build(next, v) as unknown as JSONRPCMessage;
}

const ACCESSOR_KEYS = { params: true, result: true, error: true };

/**
 * A copy of `message` with another id. A framed message that is still as delivered stays framed: its
 * bytes are written with the id's bytes spliced in (an id translation re-serialises nothing); any other
 * message is copied with `{ ...message, id }`.
 */
export function withFrameId<M extends JSONRPCMessage>(message: M, id: string | number): M {
  const state = spliceable(message);
  if (state === undefined) return { ...message, id };
  return splicedCopy(message, state, id, []) as M;
}

/**
 * Where the members of one deep member (`params` or `result`) of a framed message lie, for a stage that
 * splices the message with {@link editedFrame} instead of re-serialising it.
 */
export interface FrameLayout {
  /** The frame's bytes, in order (offsets are frame offsets; see `sliceChunks`). */
  readonly chunks: readonly Buffer[];
  /** Which deep member is laid out. */
  readonly key: 'params' | 'result';
  /** Its members, in text order (a duplicated key appears each time). */
  readonly members: ObjectLayout;
  /**
   * Its value as parsed when the frame arrived and never handed out (small frames), else `undefined`.
   * Read-only: it is the frame's own copy.
   */
  readonly value: Record<string, unknown> | undefined;
  /** The message it belongs to. */
  readonly message: JSONRPCMessage;
}

/**
 * The layout of `params` or `result` of a framed message that is still as delivered (only its id may have
 * been replaced), with its members' keys told apart by `keys`; `undefined` for any other message, a
 * frame whose top-level keys repeat, or a member that is not an object.
 *
 * @param message - a message a transport delivered in raw-frame mode
 * @param key - the deep member
 * @param keys - the member keys the caller tells apart (others get code 0)
 * @example
 * ```ts
 * const layout = frameLayout(message, 'result', keyTable({ resultType: 1 }));
 * ```
 */
export function frameLayout(
  message: JSONRPCMessage,
  key: 'params' | 'result',
  keys: KeyTable,
): FrameLayout | undefined {
  const nested: NestedRequest = { key, keys };
  const state = spliceable(message, nested);
  const m = state === undefined ? undefined : memberOf(state, key);
  // A member spliced before is not the bytes that arrived: it is not laid out again.
  if (state === undefined || m === undefined || m.kind !== 0x7b || editedWithin(state, m.start, m.end)) {
    return undefined;
  }
  const members = nested.layout ?? membersOf(state, key, keys, m);
  if (members === undefined || members.end !== m.end) return undefined;
  const value = state.parsed[key] as Record<string, unknown> | undefined;
  return { chunks: state.chunks, key, members, value, message };
}

/**
 * The members of a deep member: a scanned frame's `result` from its scan (no second pass over the
 * bytes, no copy of them), anything else walked in the frame's text.
 */
function membersOf(
  state: FrameState,
  key: 'params' | 'result',
  keys: KeyTable,
  m: { start: number; end: number },
): ObjectLayout | undefined {
  const scanned = key === 'result' ? state.scan?.resultMembers : undefined;
  if (scanned === undefined) return objectLayout(frameText(state), m.start, keys, undefined, m.end);
  const members: JsonMember[] = [];
  for (const r of scanned) {
    const name = sliceChunks(state.chunks, r.keyStart, r.keyEnd);
    members.push({
      code: keyCode(name, 0, name.length, keys),
      keyStart: r.keyStart,
      valueStart: r.valueStart,
      valueEnd: r.valueEnd,
      nested: undefined,
    });
  }
  return { start: m.start, end: m.end, members };
}

/**
 * A copy of the message laid out by `layout`, with another id and `edits` inside the laid-out member,
 * written as the original bytes with the splices in place. The caller vouches that the edited bytes are
 * valid JSON; `value`, when given, must be exactly what `JSON.parse` makes of the edited member (it is
 * read for facts without opening the copy, and handed out when the copy is read). `undefined` when an
 * edit lies outside the member's braces.
 *
 * Call it right after {@link frameLayout}, in the same synchronous step, before anything reads or
 * changes the message (the layout vouches for the message as it was then).
 *
 * @param layout - from {@link frameLayout}, of this very message
 * @param id - the copy's id
 * @param edits - replacements of byte ranges inside the member, sorted and not overlapping
 * @param value - the edited member's parsed value, if the caller has it
 * @param keptFacts - facts of the member the edits leave as they were (read from the original scan
 *   instead of parsing the edited member; only what the caller is sure of)
 * @example
 * ```ts
 * const copy = editedFrame(layout, 'backend-1', [{ start, end: start, bytes: Buffer.from(',"a":1') }]);
 * ```
 */
export function editedFrame<M extends JSONRPCMessage>(
  layout: FrameLayout,
  id: RequestId,
  edits: readonly FrameEdit[],
  value?: Record<string, unknown>,
  keptFacts?: readonly FactKey[],
): M | undefined {
  const message = layout.message;
  // Checked by frameLayout, and nothing ran in between (see above): no second walk over the message.
  const state = stateOf(message) as FrameState;
  const { start, end } = layout.members;
  let at = start + 1;
  for (const e of edits) {
    if (e.start < at || e.end < e.start || e.end > end - 1) return undefined;
    at = e.end;
  }
  return splicedCopy(message, state, id, edits, { key: layout.key, value, keptFacts }) as M;
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
  // Never handed out, so as it arrived (or as its editor made it).
  let pristine = state.parsed[deep];
  if (pristine === undefined) {
    const scan = state.scan;
    const m = scan === undefined || state.edits !== undefined ? memberOf(state, deep) : undefined;
    const spliced = m !== undefined && editedWithin(state, m.start, m.end);
    if (scan !== undefined && (!spliced || state.keptFacts?.includes(fact) === true)) {
      const range = scan.facts.get(fact);
      return range === undefined ? undefined : parseRange(state.chunks, range[0], range[1]);
    }
    // A spliced member (or a small frame that gave its parsed values to a copy): parsed from its bytes,
    // kept as pristine for the next fact.
    pristine = parseMember(state, deep);
    (state.parsed as Record<DeepKey, unknown>)[deep] = pristine;
  }
  return read(pristine as Record<string, unknown>);
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

/**
 * The length of a framed message's JSON text in bytes (its splices included), or `undefined` for any
 * other message.
 */
export function framedSize(message: JSONRPCMessage): number | undefined {
  const state = stateOf(message);
  if (state === undefined) return undefined;
  let size = state.end - state.start;
  for (const e of state.edits ?? []) size += e.bytes.length - (e.end - e.start);
  return size;
}

/** `true` for a message that keeps its frame (delivered in raw-frame mode). */
export function isFramedMessage(message: JSONRPCMessage): boolean {
  return stateOf(message) !== undefined;
}
