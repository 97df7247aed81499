import type { JSONRPCErrorObject } from '../protocol/messages.js';

/**
 * MCP methods that get their own label value. Anything else (a client may send any string) is counted
 * as `other`, so a hostile client cannot grow the label set without bound.
 */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
  'server/discover',
  'subscriptions/listen',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

/**
 * The `mcp_method_name` label of a method: the method itself when it is a known MCP method, `other`
 * otherwise.
 */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}

const LOCAL_CODE = /^[A-Z][A-Z_]{1,40}$/;

/**
 * The `error_type` label of an error response (OpenTelemetry MCP conventions: the JSON-RPC error code
 * as a string), refined with the switchboard's own code when the proxy produced the error
 * (`upstream_timeout`, `circuit_open`, `backend_unavailable`, …). Codes outside the JSON-RPC reserved
 * range collapse to `other`.
 */
export function errorTypeLabel(error: JSONRPCErrorObject): string {
  const data = error.data;
  if (typeof data === 'object' && data !== null) {
    const code = (data as { code?: unknown }).code;
    if (typeof code === 'string' && LOCAL_CODE.test(code)) return code.toLowerCase();
  }
  const code = error.code;
  return Number.isInteger(code) && code <= -32000 && code >= -32768 ? String(code) : 'other';
}

/** `error_type` of a successful call whose tool result says `isError: true`. */
export const TOOL_ERROR = 'tool_error';
