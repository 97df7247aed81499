import { rawEncodingOf } from '../framing/frame-message.js';
import type { JSONRPCMessage } from '../protocol/messages.js';

/**
 * A message as the JSON text of one queue record: the bytes it arrived as when it is a framed message
 * sent on unchanged (a relayed backend answer: no re-serialisation, nothing parsed that was not read),
 * else `JSON.stringify`.
 */
export function messageText(message: JSONRPCMessage): string {
  const raw = rawEncodingOf(message);
  if (raw === undefined) return JSON.stringify(message);
  return (
    raw.parts.length === 1 ? (raw.parts[0] as Buffer) : Buffer.concat(raw.parts, raw.byteLength)
  ).toString('utf8');
}
