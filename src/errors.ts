import { JsonRpcCode } from './protocol/json-rpc-codes.js';
import type { JSONRPCErrorObject, RequestId } from './protocol/messages.js';

/**
 * Codes of local (non-wire) errors. Stable strings: match on `error.code`, never on the message.
 */
export const ErrorCodes = [
  'ALREADY_STARTED',
  'NOT_STARTED',
  'TRANSPORT_CLOSED',
  'WRITE_FAILED',
  'FRAME_TOO_LARGE',
  'PARSE_ERROR',
  'INVALID_MESSAGE',
  'SPAWN_FAILED',
  'CHILD_EXITED',
  'UPSTREAM_TIMEOUT',
  'CONNECTION_FAILED',
  'INVALID_URI',
  'UNSUPPORTED_SCHEME',
  'INVALID_OPTIONS',
  'LISTEN_FAILED',
  'UNSAFE_SOCKET_PATH',
  'CONNECTION_REJECTED',
  'AUTH_REQUIRED',
  'FORBIDDEN',
  'HTTP_ERROR',
  'SESSION_EXPIRED',
  'ABORTED',
  'INSPECT_FAILED',
  'SLOW_CONSUMER',
  'BACKEND_UNAVAILABLE',
  'TOO_MANY_SESSIONS',
  'CIRCUIT_OPEN',
  'BULKHEAD_FULL',
  'LINK_FAILED',
  'HEALTH_CHECK_FAILED',
  'SSRF_BLOCKED',
  'COMMAND_REFUSED',
  'RATE_LIMITED',
  'POLICY_DENIED',
  'BUFFER_BUDGET_EXCEEDED',
  'FRAME_TIMEOUT',
  'UNKNOWN_NAME',
  'INVALID_PARAMS',
  'UNROUTABLE',
  'FEATURE_UNAVAILABLE',
  'INVALID_REQUEST_STATE',
  'TOOL_ERROR',
  'GENERATE_FAILED',
  'WORKER_LOST',
  'INSTANCE_LOST',
  'INTERNAL',
] as const;

/** A local error code. */
export type ErrorCode = (typeof ErrorCodes)[number];

const BRAND = Symbol.for('mcp-switchboard.error');

/** Extra, code-specific facts attached to an error (e.g. the request id a frame error refers to). */
export interface ErrorDetails {
  /** The JSON-RPC id of the message the error is about, when it could be recovered. */
  requestId?: RequestId;
  /** For framing errors: whether the failed frame was a request, a response or unknown. */
  messageKind?: 'request' | 'response' | 'notification' | 'unknown';
  /** An id an operator finds in the logs next to the full cause (sent to clients in `data.incident`). */
  incident?: string;
  /** For `CHILD_EXITED`: exit code, signal and the last lines of stderr (never sent to clients). */
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  stderrTail?: string[];
  /** Anything else worth keeping for logs. */
  [key: string]: unknown;
}

/**
 * The one error class of the library: a stable string `code`, the original `cause`, and details.
 *
 * `instanceof` works across copies of the package (brand on `Symbol.for`), like undici and the SDK.
 *
 * @example
 * ```ts
 * try { await transport.send(msg); }
 * catch (e) { if (e instanceof SwitchboardError && e.code === 'TRANSPORT_CLOSED') reconnect(); }
 * ```
 */
export class SwitchboardError extends Error {
  /** Stable code; see {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** Code-specific facts. */
  readonly details: ErrorDetails;

  /**
   * @param code - stable error code
   * @param message - human-readable description (never contains secrets)
   * @param options - `cause` (kept) and `details`
   */
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** Brand check so errors from another copy of the package still match `instanceof`. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** @internal */
  get [BRAND](): boolean {
    return true;
  }
}

/**
 * Normalises anything thrown into a {@link SwitchboardError}, keeping the original as `cause`.
 *
 * @param value - what was thrown
 * @param fallback - code to use when `value` is not already a SwitchboardError (default `INTERNAL`)
 */
export function toSwitchboardError(value: unknown, fallback: ErrorCode = 'INTERNAL'): SwitchboardError {
  if (value instanceof SwitchboardError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new SwitchboardError(fallback, message, { cause: value });
}

const WIRE_CODES: Record<ErrorCode, number> = {
  ALREADY_STARTED: JsonRpcCode.InternalError,
  NOT_STARTED: JsonRpcCode.InternalError,
  TRANSPORT_CLOSED: JsonRpcCode.ConnectionClosed,
  WRITE_FAILED: JsonRpcCode.ConnectionClosed,
  FRAME_TOO_LARGE: JsonRpcCode.InvalidRequest,
  PARSE_ERROR: JsonRpcCode.ParseError,
  INVALID_MESSAGE: JsonRpcCode.InvalidRequest,
  SPAWN_FAILED: JsonRpcCode.ConnectionClosed,
  CHILD_EXITED: JsonRpcCode.ConnectionClosed,
  UPSTREAM_TIMEOUT: JsonRpcCode.RequestTimeout,
  CONNECTION_FAILED: JsonRpcCode.ConnectionClosed,
  INVALID_URI: JsonRpcCode.InternalError,
  UNSUPPORTED_SCHEME: JsonRpcCode.InternalError,
  INVALID_OPTIONS: JsonRpcCode.InternalError,
  LISTEN_FAILED: JsonRpcCode.InternalError,
  UNSAFE_SOCKET_PATH: JsonRpcCode.InternalError,
  CONNECTION_REJECTED: JsonRpcCode.ConnectionClosed,
  AUTH_REQUIRED: JsonRpcCode.InternalError,
  FORBIDDEN: JsonRpcCode.InternalError,
  HTTP_ERROR: JsonRpcCode.InternalError,
  SESSION_EXPIRED: JsonRpcCode.ConnectionClosed,
  ABORTED: JsonRpcCode.InternalError,
  INSPECT_FAILED: JsonRpcCode.InternalError,
  SLOW_CONSUMER: JsonRpcCode.ConnectionClosed,
  BACKEND_UNAVAILABLE: JsonRpcCode.ConnectionClosed,
  TOO_MANY_SESSIONS: JsonRpcCode.InternalError,
  CIRCUIT_OPEN: JsonRpcCode.ConnectionClosed,
  BULKHEAD_FULL: JsonRpcCode.ConnectionClosed,
  LINK_FAILED: JsonRpcCode.ConnectionClosed,
  HEALTH_CHECK_FAILED: JsonRpcCode.ConnectionClosed,
  SSRF_BLOCKED: JsonRpcCode.InternalError,
  COMMAND_REFUSED: JsonRpcCode.InternalError,
  // Implementation-defined server errors (outside the -32020..-32099 range the MCP spec reserves).
  RATE_LIMITED: -32004,
  POLICY_DENIED: -32003,
  BUFFER_BUDGET_EXCEEDED: JsonRpcCode.ConnectionClosed,
  FRAME_TIMEOUT: JsonRpcCode.ConnectionClosed,
  // A tool, prompt or resource nobody serves (or that is filtered out): what an MCP server answers too.
  UNKNOWN_NAME: JsonRpcCode.InvalidParams,
  INVALID_PARAMS: JsonRpcCode.InvalidParams,
  // A method the gateway cannot route to one server.
  UNROUTABLE: JsonRpcCode.MethodNotFound,
  // A feature one protocol era has and the other lacks (tasks, subscriptions/listen without resources/subscribe…).
  FEATURE_UNAVAILABLE: JsonRpcCode.MethodNotFound,
  INVALID_REQUEST_STATE: JsonRpcCode.InvalidParams,
  TOOL_ERROR: JsonRpcCode.InternalError,
  GENERATE_FAILED: JsonRpcCode.InternalError,
  WORKER_LOST: JsonRpcCode.ConnectionClosed,
  // A gateway instance died with the request in flight; the one that took the session over did not run it again.
  INSTANCE_LOST: JsonRpcCode.ConnectionClosed,
  INTERNAL: JsonRpcCode.InternalError,
};

/**
 * Wire messages of errors whose own message is for operators only: a child's command line, exit status
 * and stderr (which may carry secrets) stay in the logs.
 */
const OPERATOR_ONLY: Partial<Record<ErrorCode, string>> = {
  CHILD_EXITED: 'The backend process exited',
  SPAWN_FAILED: 'The backend process could not be started',
};

/**
 * The single seam that turns a local error into a JSON-RPC error object for the wire.
 *
 * Internal failures become `-32603`; only genuine parse/shape problems of a peer's frame become
 * `-32700`/`-32600`. The local code travels in `data.code` so clients can tell causes apart, and an
 * incident id (`details.incident`) in `data.incident` so a client can quote it to an operator. A child's
 * stderr, exit status and command line never go on the wire (`CHILD_EXITED`/`SPAWN_FAILED` get a generic
 * message): they are for the logs.
 *
 * @param error - anything thrown
 * @returns the `error` member of a JSON-RPC error response
 */
export function toJsonRpcError(error: unknown): JSONRPCErrorObject {
  const e = toSwitchboardError(error);
  const data: Record<string, unknown> = { code: e.code };
  if (typeof e.details.incident === 'string') data.incident = e.details.incident;
  if (typeof e.details.retryAfterMs === 'number') data.retryAfterMs = e.details.retryAfterMs;
  if (Array.isArray(e.details.requiredScopes)) data.requiredScopes = e.details.requiredScopes;
  if (typeof e.details.server === 'string') data.server = e.details.server;
  if (typeof e.details.worker === 'string') data.worker = e.details.worker;
  if (typeof e.details.instance === 'string') data.instance = e.details.instance;
  return { code: WIRE_CODES[e.code], message: OPERATOR_ONLY[e.code] ?? e.message, data };
}
