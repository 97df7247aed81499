import { SwitchboardError, type ErrorCode } from '../../../errors.js';
import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';

/** Bytes of an error response body kept for diagnostics and era detection (64 KiB). */
export const ERROR_BODY_PEEK_BYTES = 64 * 1024;

/** The `error` member of a JSON-RPC error found in an HTTP response body. */
export interface BodyRpcError {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * Reads the JSON-RPC error out of an HTTP error body, if it holds one (`{"jsonrpc":"2.0","error":{…}}`,
 * with or without an `id`).
 */
export function parseRpcErrorBody(text: string | undefined): BodyRpcError | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
  if (typeof code !== 'number') return undefined;
  return {
    code,
    message: typeof message === 'string' ? message : '',
    ...(data === undefined ? {} : { data }),
  };
}

const MODERN_ERROR_CODES: ReadonlySet<number> = new Set([
  JsonRpcCode.HeaderMismatch,
  JsonRpcCode.MissingRequiredClientCapability,
  JsonRpcCode.UnsupportedProtocolVersion,
]);

/**
 * `true` when an HTTP error carries a JSON-RPC error that only a 2026-07-28 server sends: header
 * mismatch (-32020), missing capability (-32021), unsupported version (-32022), or "method not found"
 * on a 404 (a modern server's answer to an unknown method). Such a server must not be treated as legacy.
 */
export function isModernErrorBody(status: number, error: BodyRpcError | undefined): boolean {
  if (error === undefined) return false;
  if (MODERN_ERROR_CODES.has(error.code)) return true;
  return status === 404 && error.code === JsonRpcCode.MethodNotFound;
}

/**
 * The backwards-compatibility signal of the spec (2025-11-25 / 2026-07-28): a POST rejected with 400,
 * 404 or 405 whose body is not a recognised modern error may come from a 2024-11-05 HTTP+SSE server.
 */
export function isLegacyServerSignal(status: number, bodyText: string | undefined): boolean {
  if (status !== 400 && status !== 404 && status !== 405) return false;
  return !isModernErrorBody(status, parseRpcErrorBody(bodyText));
}

/** Facts about an HTTP response that ended in an error. */
export interface HttpFailure {
  status: number;
  method: string;
  url: URL;
  /** The first {@link ERROR_BODY_PEEK_BYTES} of the body, decoded as UTF-8. */
  body?: string | undefined;
  /** `WWW-Authenticate` of a 401/403, for authorization helpers. */
  wwwAuthenticate?: string | undefined;
  /** `Location` of a 3xx (redirects are never followed). */
  location?: string | undefined;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'AUTH_REQUIRED';
  if (status === 403) return 'FORBIDDEN';
  return 'HTTP_ERROR';
}

/**
 * The coded error for a non-success HTTP status: 401 → `AUTH_REQUIRED`, 403 → `FORBIDDEN`, anything
 * else → `HTTP_ERROR`. `details` carries `status`, the body excerpt, and `WWW-Authenticate`/`Location`.
 */
export function httpStatusError(failure: HttpFailure): SwitchboardError {
  const { status, method, url } = failure;
  const rpc = parseRpcErrorBody(failure.body);
  let message = `${method} ${url.origin}${url.pathname} answered HTTP ${status}`;
  if (rpc !== undefined) message += `: ${rpc.message}`;
  if (status >= 300 && status < 400) {
    message += failure.location ? ` (redirect to ${failure.location}; redirects are not followed)` : '';
  }
  return new SwitchboardError(codeForStatus(status), message, {
    details: {
      status,
      ...(failure.body === undefined ? {} : { body: failure.body }),
      ...(rpc === undefined ? {} : { rpcError: rpc }),
      ...(failure.wwwAuthenticate === undefined ? {} : { wwwAuthenticate: failure.wwwAuthenticate }),
      ...(failure.location === undefined ? {} : { location: failure.location }),
    },
  });
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errnoCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The coded error for a failed HTTP exchange (no usable response): `ABORTED` when `signal` was
 * aborted, `UPSTREAM_TIMEOUT` for undici's header/body timeouts, `CONNECTION_FAILED` otherwise
 * (refused, reset, DNS, TLS, socket). The system or undici error code is kept in `details.errno`.
 */
export function networkError(
  error: unknown,
  context: { method: string; url: URL; signal?: AbortSignal | undefined },
): SwitchboardError {
  if (error instanceof SwitchboardError) return error;
  const { method, url } = context;
  const errno = errnoCode(error);
  const where = `${method} ${url.origin}${url.pathname}`;
  if (context.signal?.aborted === true) {
    return new SwitchboardError('ABORTED', `${where} was aborted`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  const details = errno === undefined ? {} : { errno };
  if (errno !== undefined && TIMEOUT_CODES.has(errno)) {
    return new SwitchboardError('UPSTREAM_TIMEOUT', `${where} timed out: ${reason}`, {
      cause: error,
      details,
    });
  }
  // Refused, reset, DNS, TLS and socket errors alike: the peer could not be reached or dropped us.
  return new SwitchboardError('CONNECTION_FAILED', `${where} failed: ${reason}`, { cause: error, details });
}
