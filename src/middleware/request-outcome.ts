import { SwitchboardError } from '../errors.js';
import type { JSONRPCErrorObject, JSONRPCMessage, RequestId } from '../protocol/messages.js';

/**
 * Local error codes that mean "the backend, or the way to it, failed" — as opposed to an answer the
 * backend gave on purpose (a JSON-RPC error from its own handlers, or a tool result with `isError`).
 * They arrive either as a rejected `send()` or in `error.data.code` of an error response that the proxy
 * (supervisor, relay) synthesised.
 */
const BACKEND_FAILURE_CODES: ReadonlySet<string> = new Set([
  'TRANSPORT_CLOSED',
  'WRITE_FAILED',
  'SPAWN_FAILED',
  'CHILD_EXITED',
  'UPSTREAM_TIMEOUT',
  'CONNECTION_FAILED',
  'CONNECTION_REJECTED',
  'BACKEND_UNAVAILABLE',
  'SESSION_EXPIRED',
  'SLOW_CONSUMER',
  'LINK_FAILED',
  'HEALTH_CHECK_FAILED',
]);

/** System/undici error codes of a connection that was never established: nothing was sent. */
const CONNECT_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Codes of a `send()` that failed before anything was written. */
const UNSENT_CODES: ReadonlySet<string> = new Set([
  'NOT_STARTED',
  'TRANSPORT_CLOSED',
  'WRITE_FAILED',
  'BACKEND_UNAVAILABLE',
]);

/**
 * Requests that are safe to send twice: they read and do not change anything (or are idempotent by the
 * spec). `tools/call` is deliberately absent: a tool may have effects.
 */
export const IDEMPOTENT_METHODS: readonly string[] = [
  'ping',
  'tools/list',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
  'logging/setLevel',
  'server/discover',
];

/** The local code a JSON-RPC error carries in `data.code` (set by `toJsonRpcError`), if any. */
export function localCodeOf(error: JSONRPCErrorObject): string | undefined {
  const data = error.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const code = (data as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The HTTP status of a coded HTTP error, if it is one. */
function httpStatusOf(error: SwitchboardError): number | undefined {
  const status = error.details.status;
  return error.code === 'HTTP_ERROR' && typeof status === 'number' ? status : undefined;
}

/**
 * `true` when a rejected `send()` means the backend (or the way to it) failed: transport errors, and
 * HTTP 5xx/429 from HTTP backends. Other rejections (bad options, 4xx, aborts) say nothing about health.
 */
export function isBackendFailureError(error: unknown): boolean {
  if (!(error instanceof SwitchboardError)) return false;
  const status = httpStatusOf(error);
  if (status !== undefined) return status >= 500 || status === 429;
  return BACKEND_FAILURE_CODES.has(error.code);
}

/** `true` when an error response was synthesised by the proxy because the backend failed. */
export function isBackendFailureResponse(error: JSONRPCErrorObject): boolean {
  const code = localCodeOf(error);
  return code !== undefined && BACKEND_FAILURE_CODES.has(code);
}

/**
 * `true` when a rejected `send()` proves the message never left: the transport was not started or is
 * closed, its send queue was full, the connection could not be established, or an HTTP backend refused
 * with 429. Such a request may be sent again whatever its method.
 */
export function isUnsentError(error: unknown): boolean {
  if (!(error instanceof SwitchboardError)) return false;
  if (UNSENT_CODES.has(error.code)) return true;
  if (error.code === 'CONNECTION_FAILED') {
    const errno = error.details.errno;
    return typeof errno === 'string' && CONNECT_ERRNOS.has(errno);
  }
  return httpStatusOf(error) === 429;
}

/** The id a `notifications/cancelled` refers to, when `message` is one. */
export function cancelledRequestId(message: JSONRPCMessage): RequestId | undefined {
  if (message.method !== 'notifications/cancelled') return undefined;
  const id = (message.params as Record<string, unknown> | undefined)?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}
