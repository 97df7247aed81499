import type { RequestId } from '../protocol/messages.js';

/** What could be learned about a frame that cannot be parsed in full. */
export interface RecoveredEnvelope {
  kind: 'request' | 'response' | 'notification' | 'unknown';
  id?: RequestId;
}

const WS = new Set([' ', '\t', '\n', '\r']);

/**
 * Scans the first bytes of a JSON object at depth 1 and reports the top-level keys seen (and the `id`
 * value if it is complete within `head`). Stops silently where `head` ends or the text stops being JSON.
 */
function scanHead(head: string): { keys: string[]; id?: RequestId } {
  const keys: string[] = [];
  let id: RequestId | undefined;
  let i = 0;
  const skipWs = (): void => {
    while (i < head.length && WS.has(head[i] as string)) i++;
  };
  const readString = (): string | undefined => {
    if (head[i] !== '"') return undefined;
    let out = '';
    for (i++; i < head.length; i++) {
      const c = head[i] as string;
      if (c === '\\') {
        out += head[i + 1] ?? '';
        i++;
      } else if (c === '"') {
        i++;
        return out;
      } else out += c;
    }
    return undefined;
  };
  const skipValue = (): boolean => {
    skipWs();
    const c = head[i];
    if (c === '"') return readString() !== undefined;
    if (c === '{' || c === '[') {
      let depth = 0;
      for (; i < head.length; i++) {
        const d = head[i];
        if (d === '"') {
          if (readString() === undefined) return false;
          i--;
        } else if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return true;
          }
        }
      }
      return false;
    }
    const m = /^[^,}\]\s]+/.exec(head.slice(i));
    if (!m) return false;
    i += m[0].length;
    return i < head.length;
  };
  skipWs();
  if (head[i] !== '{') return { keys };
  i++;
  for (;;) {
    skipWs();
    const key = readString();
    if (key === undefined) break;
    keys.push(key);
    skipWs();
    if (head[i] !== ':') break;
    i++;
    skipWs();
    if (key === 'id') {
      const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=[\s,}])|^"((?:[^"\\]|\\.)*)"/.exec(head.slice(i));
      if (m) id = m[1] !== undefined ? Number(m[1]) : (JSON.parse(`"${m[2] ?? ''}"`) as string);
    }
    if (!skipValue()) break;
    skipWs();
    if (head[i] !== ',') break;
    i++;
  }
  return id === undefined ? { keys } : { keys, id };
}

const TAIL_ID = /[,{]\s*"id"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*")\s*\}\s*$/;

/**
 * Best-effort recovery of the kind and `id` of a frame that is too large or not valid JSON, from its
 * first and last bytes. Used so that a broken request still gets a JSON-RPC error response, and a broken
 * response still fails the request it answers, instead of silence.
 *
 * A top-level `id` is recognised at the start (`{"jsonrpc":"2.0","id":1,…`) or as the last member
 * (`…,"id":1}`, how the SDK serialises requests).
 *
 * @param head - the first bytes of the frame, decoded as UTF-8
 * @param tail - the last bytes of the frame (may overlap `head` for short frames)
 */
export function recoverEnvelope(head: string, tail: string): RecoveredEnvelope {
  const scanned = scanHead(head);
  let id = scanned.id;
  if (id === undefined) {
    const m = TAIL_ID.exec(tail);
    if (m?.[1] !== undefined) {
      try {
        id = JSON.parse(m[1]) as RequestId;
      } catch {
        id = undefined;
      }
    }
  }
  const keys = new Set(scanned.keys);
  let kind: RecoveredEnvelope['kind'] = 'unknown';
  if (keys.has('method') || keys.has('params')) kind = id === undefined ? 'notification' : 'request';
  else if (keys.has('result') || keys.has('error')) kind = 'response';
  return id === undefined ? { kind } : { kind, id };
}
