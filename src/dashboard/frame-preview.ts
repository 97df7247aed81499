import { redactPayload } from '../observability/redact.js';
import type { JSONRPCMessage } from '../protocol/messages.js';

/** Longest preview kept per frame, in characters. */
export const MAX_PREVIEW_CHARS = 4096;

/**
 * A bounded, redacted JSON text of a frame's payload (`params`, `result` or `error`), with the same
 * rules as the debug logs (`redactPayload`: secret-looking keys hidden, long strings cut, depth and
 * breadth bounded), then cut to {@link MAX_PREVIEW_CHARS}.
 */
export function framePreview(message: JSONRPCMessage): string | undefined {
  const payload = 'params' in message ? message.params : 'result' in message ? message.result : message.error;
  if (payload === undefined) return undefined;
  const text = JSON.stringify(redactPayload(payload, { maxDepth: 5, maxItems: 12, maxString: 160 })) ?? '';
  return text.length > MAX_PREVIEW_CHARS ? `${text.slice(0, MAX_PREVIEW_CHARS)}…` : text;
}

/** The `tools/call` tool name, `prompts/get` prompt name or `resources/read` URI of a request. */
export function targetOf(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const p = params as { name?: unknown; uri?: unknown };
  const t = p.name ?? p.uri;
  return typeof t === 'string' ? t.slice(0, 200) : undefined;
}
