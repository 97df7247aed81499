/**
 * Minimal, structural JSON-RPC 2.0 message types.
 *
 * They are deliberately looser than the SDK's zod-inferred types so that messages from both SDK v1
 * (`@modelcontextprotocol/sdk`) and v2 (`@modelcontextprotocol/client`/`server`) are assignable to them,
 * and our transports plug into either SDK without a runtime dependency on it.
 */

/** A JSON-RPC request id. */
export type RequestId = string | number;

/** Parameters of a request or notification; `_meta` is carried through untouched. */
export type MessageParams = { [key: string]: unknown; _meta?: { [key: string]: unknown } | undefined };

/** A request: has `method` and `id`. */
export interface JSONRPCRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: MessageParams | undefined;
  [key: string]: unknown;
}

/** A notification: has `method` and no `id`. */
export interface JSONRPCNotification {
  jsonrpc: '2.0';
  method: string;
  params?: MessageParams | undefined;
  [key: string]: unknown;
}

/** A successful response. */
export interface JSONRPCResultResponse {
  jsonrpc: '2.0';
  id: RequestId;
  result: { [key: string]: unknown };
  [key: string]: unknown;
}

/** The `error` member of an error response. */
export interface JSONRPCErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error response. `id` may be absent when the request's id could not be determined. */
export interface JSONRPCErrorResponse {
  jsonrpc: '2.0';
  id?: RequestId | undefined;
  error: JSONRPCErrorObject;
  [key: string]: unknown;
}

/** Any single JSON-RPC message. */
export type JSONRPCMessage =
  JSONRPCRequest | JSONRPCNotification | JSONRPCResultResponse | JSONRPCErrorResponse;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `true` when `value` is a valid MCP request id: a string or a safe integer. MCP narrows JSON-RPC's
 * "number" to an integer, and the SDKs drop any message whose id is fractional or beyond 2^53 − 1
 * without answering; such an id has also lost its digits in `JSON.parse`, so it could not be echoed.
 */
export function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

/** `true` for a request (method + id). */
export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return typeof message.method === 'string' && 'id' in message && message.id !== undefined;
}

/** `true` for a notification (method, no id). */
export function isNotification(message: JSONRPCMessage): message is JSONRPCNotification {
  return typeof message.method === 'string' && !('id' in message && message.id !== undefined);
}

/** `true` for a response (result or error). */
export function isResponse(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return typeof message.method !== 'string' && ('result' in message || 'error' in message);
}

/** `true` for an error response. */
export function isErrorResponse(message: JSONRPCMessage): message is JSONRPCErrorResponse {
  return isResponse(message) && 'error' in message;
}

/** The members a JSON-RPC envelope may carry, by kind (the SDKs' envelope schemas are strict). */
const REQUEST_MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params']);
const RESULT_MEMBERS = new Set(['jsonrpc', 'id', 'result']);
const ERROR_MEMBERS = new Set(['jsonrpc', 'id', 'error']);

/** The first top-level member that does not belong to the message's kind, if any. */
function extraMember(value: Record<string, unknown>): string | undefined {
  const allowed = 'method' in value ? REQUEST_MEMBERS : 'result' in value ? RESULT_MEMBERS : ERROR_MEMBERS;
  for (const key of Object.keys(value)) if (!allowed.has(key)) return key;
  return undefined;
}

/**
 * Why a parsed JSON value is not a JSON-RPC 2.0 message, or `undefined` when it is one.
 * Cheap structural checks only: this runs on every frame of the hot path.
 */
export function invalidMessageReason(value: unknown): string | undefined {
  if (Array.isArray(value)) return 'JSON-RPC batches are not supported (removed in MCP 2025-06-18)';
  if (!isRecord(value)) return 'a JSON-RPC message must be a JSON object';
  if (value.jsonrpc !== '2.0') return 'the "jsonrpc" member must be exactly "2.0"';
  const hasId = 'id' in value && value.id !== undefined;
  if (hasId && !isRequestId(value.id) && !(value.id === null && 'error' in value)) {
    return 'the "id" member must be a string or an integer (at most 2^53 - 1 in magnitude)';
  }
  const extra = extraMember(value);
  if (extra !== undefined) return `unexpected member "${extra}" (the SDKs drop such a message unanswered)`;
  if ('method' in value) {
    if (typeof value.method !== 'string') return 'the "method" member must be a string';
    if ('params' in value && value.params !== undefined && !isRecord(value.params)) {
      return 'the "params" member must be an object';
    }
    return undefined;
  }
  if ('result' in value) {
    if (!hasId) return 'a response must carry an "id"';
    if (!isRecord(value.result)) return 'the "result" member must be an object';
    return undefined;
  }
  if ('error' in value) {
    const error = value.error;
    if (!isRecord(error) || typeof error.code !== 'number' || typeof error.message !== 'string') {
      return 'the "error" member must have a numeric "code" and a string "message"';
    }
    return undefined;
  }
  return 'a JSON-RPC message needs "method", "result" or "error"';
}

/** Builds an error response. */
export function errorResponse(id: RequestId | undefined, error: JSONRPCErrorObject): JSONRPCErrorResponse {
  return id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error };
}
