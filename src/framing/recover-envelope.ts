import { isRequestId, type RequestId } from '../protocol/messages.js';
import { JsonCursor } from './json-cursor.js';

/** What could be learned about a frame that cannot be parsed in full. */
export interface RecoveredEnvelope {
  kind: 'request' | 'response' | 'notification' | 'unknown';
  id?: RequestId;
}

/** Longest string id worth recovering; the peek windows are 1 KiB anyway. */
const MAX_ID_CHARS = 512;

/** How many top-level members the head scan looks at before giving up. */
const MAX_MEMBERS = 64;

function asId(value: string | number | undefined): RequestId | undefined {
  if (value === undefined || !isRequestId(value)) return undefined;
  return typeof value === 'string' && value.length > MAX_ID_CHARS ? undefined : value;
}

/**
 * Reads the value of an `id` member: a string or a number, complete and valid, else `undefined`. A
 * number at the very end of the text counts only when `endIsDelimiter` (else it may be cut short).
 */
function readIdValue(cursor: JsonCursor, endIsDelimiter: boolean): RequestId | undefined {
  const value = cursor.peek() === '"' ? cursor.readString() : cursor.readNumber(endIsDelimiter);
  return value === undefined ? undefined : asId(value);
}

/**
 * Scans the first bytes of a JSON object at depth 1 and reports the top-level keys seen (and the `id`
 * value if it is complete and valid within `head`). Stops silently where `head` ends or the text stops
 * being JSON.
 */
function scanHead(head: string): { keys: Set<string>; id?: RequestId } {
  const keys = new Set<string>();
  let id: RequestId | undefined;
  const cursor = new JsonCursor(head);
  cursor.skipWs();
  if (!cursor.consume('{')) return { keys };
  for (let n = 0; n < MAX_MEMBERS; n++) {
    cursor.skipWs();
    const key = cursor.readString();
    if (key === undefined) break;
    keys.add(key);
    cursor.skipWs();
    if (!cursor.consume(':')) break;
    cursor.skipWs();
    if (key === 'id') {
      const mark = cursor.position;
      const value = readIdValue(cursor, false);
      // A duplicate key keeps the last value, as JSON.parse would.
      id = value;
      cursor.position = mark;
    }
    if (!cursor.skipValue()) break;
    cursor.skipWs();
    if (!cursor.consume(',')) break;
  }
  return id === undefined ? { keys } : { keys, id };
}

/**
 * Finds a top-level `"id": value }` at the very end of `tail` (how the SDK serialises requests), reading
 * backwards from the closing brace. Only a string or number value that is complete and valid counts.
 */
function scanTail(tail: string): RequestId | undefined {
  let end = tail.length;
  while (end > 0 && JsonCursor.isWs(tail.charCodeAt(end - 1))) end--;
  if (tail[end - 1] !== '}') return undefined;
  end--;
  while (end > 0 && JsonCursor.isWs(tail.charCodeAt(end - 1))) end--;
  // The value ends at `end`; find where it starts.
  let start: number;
  if (tail[end - 1] === '"') {
    start = JsonCursor.stringStart(tail, end - 1);
    if (start === -1) return undefined;
  } else {
    start = end;
    while (start > 0 && /[-+.eE0-9]/.test(tail[start - 1] as string)) start--;
    if (start === end) return undefined;
  }
  const value = new JsonCursor(tail.slice(start, end));
  const id = readIdValue(value, true);
  if (id === undefined || !value.atEnd) return undefined;
  // Before the value: `"id"` `:` preceded by `,` or `{`.
  let i = start;
  while (i > 0 && JsonCursor.isWs(tail.charCodeAt(i - 1))) i--;
  if (tail[i - 1] !== ':') return undefined;
  i--;
  while (i > 0 && JsonCursor.isWs(tail.charCodeAt(i - 1))) i--;
  if (tail.slice(i - 4, i) !== '"id"' || tail[i - 5] === '\\') return undefined;
  i -= 4;
  while (i > 0 && JsonCursor.isWs(tail.charCodeAt(i - 1))) i--;
  const before = tail[i - 1];
  return before === ',' || before === '{' ? id : undefined;
}

/**
 * Best-effort recovery of the kind and `id` of a frame that is too large or not valid JSON, from its
 * first and last bytes. Used so that a broken request still gets a JSON-RPC error response, and a broken
 * response still fails the request it answers, instead of silence.
 *
 * A top-level `id` is recognised at the start (`{"jsonrpc":"2.0","id":1,…`) or as the last member
 * (`…,"id":1}`, how the SDK serialises requests). Only a valid id is recovered: a string with valid JSON
 * escapes and no raw control characters (at most 512 characters), or a finite number.
 *
 * Never throws, whatever the input (invalid escapes, control characters, lone surrogates, huge numbers,
 * deep nesting, `__proto__` keys…): it only reads the two windows, linearly.
 *
 * @param head - the first bytes of the frame, decoded as UTF-8
 * @param tail - the last bytes of the frame (may overlap `head` for short frames)
 * @example
 * ```ts
 * recoverEnvelope('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{', '…'); // { kind: 'request', id: 7 }
 * ```
 */
export function recoverEnvelope(head: string, tail: string): RecoveredEnvelope {
  try {
    const scanned = scanHead(head);
    const id = scanned.id ?? scanTail(tail);
    const keys = scanned.keys;
    let kind: RecoveredEnvelope['kind'] = 'unknown';
    // A frame with an `id` member is a request even when its id could not be read.
    if (keys.has('method') || keys.has('params'))
      kind = id === undefined && !keys.has('id') ? 'notification' : 'request';
    else if (keys.has('result') || keys.has('error')) kind = 'response';
    return id === undefined ? { kind } : { kind, id };
  } catch {
    // Unreachable by design (the scanners only index strings); kept so a future bug cannot kill a reader.
    return { kind: 'unknown' };
  }
}
