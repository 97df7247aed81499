import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { SwitchboardError, type ErrorCode } from '../errors.js';
import { JsonRpcCode } from '../protocol/json-rpc-codes.js';

/** The error object of an adapter answer (`{ "error": … }` in REST, `extensions.mcp` in GraphQL). */
export interface AdapterErrorBody {
  /** The JSON-RPC error code, when the error has one. */
  code?: number | undefined;
  message: string;
  data?: unknown;
}

/** An error mapped to HTTP: status, extra headers (`Retry-After`) and the error object. */
export interface MappedError {
  status: number;
  headers: Record<string, string>;
  error: AdapterErrorBody;
  /** `true` when the backend is unavailable (down, restarting, not connected): worth retrying later. */
  unavailable: boolean;
}

/** MCP's "resource not found" (not in JSON-RPC itself). */
const RESOURCE_NOT_FOUND = -32002;
/** The codes the proxy uses for its policy refusals (see `toJsonRpcError`). */
const POLICY_DENIED = -32003;
const RATE_LIMITED = -32004;

// Local error codes (`data.code` of the proxy's JSON-RPC errors) that mean "the backend is not there".
const UNAVAILABLE: ReadonlySet<string> = new Set<ErrorCode>([
  'BACKEND_UNAVAILABLE',
  'CHILD_EXITED',
  'SPAWN_FAILED',
  'CONNECTION_FAILED',
  'CONNECTION_REJECTED',
  'TRANSPORT_CLOSED',
  'WRITE_FAILED',
  'SESSION_EXPIRED',
  'CIRCUIT_OPEN',
  'BULKHEAD_FULL',
  'LINK_FAILED',
  'HEALTH_CHECK_FAILED',
  'TOO_MANY_SESSIONS',
  'SLOW_CONSUMER',
]);

const localCode = (data: unknown): string | undefined => {
  const code = (data as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

const retryAfterMsOf = (data: unknown): number | undefined => {
  const ms = (data as { retryAfterMs?: unknown } | null | undefined)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
};

const retryAfter = (ms: number | undefined): Record<string, string> => ({
  'retry-after': String(Math.max(1, Math.ceil((ms ?? 1000) / 1000))),
});

/**
 * The HTTP status of a JSON-RPC error (see docs/adapters.md): -32700/-32600 → 400, -32601 and MCP's
 * -32002 → 404, -32602 → 422, -32603 → 500, -32001 → 504 for the proxy's deadline
 * (`data.code: UPSTREAM_TIMEOUT`) else 408, the proxy's policy refusal → 403, its rate limit → 429,
 * "backend unavailable" causes → 503; every other (server-defined) code → 502.
 *
 * @param code - the JSON-RPC error code
 * @param data - the error's `data` (the proxy puts its local code in `data.code`)
 */
export function statusOfJsonRpcError(code: number, data?: unknown): number {
  const local = localCode(data);
  if (local !== undefined && UNAVAILABLE.has(local)) return 503;
  if (local === 'UPSTREAM_TIMEOUT') return 504;
  if (local === 'RATE_LIMITED' || code === RATE_LIMITED) return 429;
  if (local === 'POLICY_DENIED' || code === POLICY_DENIED) return 403;
  switch (code) {
    case JsonRpcCode.ParseError:
    case JsonRpcCode.InvalidRequest:
      return 400;
    case JsonRpcCode.MethodNotFound:
    case RESOURCE_NOT_FOUND:
      return 404;
    case JsonRpcCode.InvalidParams:
      return 422;
    case JsonRpcCode.InternalError:
      return 500;
    case JsonRpcCode.RequestTimeout:
      return 408;
    default:
      return 502;
  }
}

/**
 * Maps anything a request through an adapter can throw to an HTTP answer: JSON-RPC errors of the
 * server or the proxy by code ({@link statusOfJsonRpcError}), the adapter's own unavailability and
 * lost connections to 503 with `Retry-After`, the client's timeout to 504, an invalid answer of the
 * server to 502, anything else to 500.
 *
 * @param error - what was thrown
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof ProtocolError) {
    const status = statusOfJsonRpcError(error.code, error.data);
    const headers = status === 503 || status === 429 ? retryAfter(retryAfterMsOf(error.data)) : {};
    return {
      status,
      headers,
      error: {
        code: error.code,
        message: error.message,
        ...(error.data !== undefined ? { data: error.data } : {}),
      },
      unavailable: status === 503,
    };
  }
  if (error instanceof SwitchboardError) {
    const unavailable = UNAVAILABLE.has(error.code);
    const status = unavailable ? 503 : error.code === 'UPSTREAM_TIMEOUT' ? 504 : 500;
    return {
      status,
      headers: unavailable ? retryAfter(retryAfterMsOf(error.details)) : {},
      error: { message: error.message, data: { code: error.code } },
      unavailable,
    };
  }
  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.RequestTimeout) return plain(504, error.message, error.code);
    if (
      error.code === SdkErrorCode.ConnectionClosed ||
      error.code === SdkErrorCode.NotConnected ||
      error.code === SdkErrorCode.SendFailed
    ) {
      return { ...plain(503, error.message, error.code), headers: retryAfter(1000), unavailable: true };
    }
    // An answer the client could not use (invalid result, unsupported result type, …).
    return plain(502, error.message, error.code);
  }
  return plain(500, 'Internal error', 'INTERNAL');
}

function plain(status: number, message: string, code: string): MappedError {
  return { status, headers: {}, error: { message, data: { code } }, unavailable: false };
}
