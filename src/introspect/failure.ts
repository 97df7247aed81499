import {
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { SwitchboardError, type ErrorCode } from '../errors.js';

/**
 * Why an inspection (or a tool call through `inspect --call`) failed:
 * - `usage`: the request itself is wrong (bad target, bad options, bad tool arguments);
 * - `auth`: the server wants credentials (HTTP 401/403);
 * - `unreachable`: nothing answered (spawn failed, connection refused, closed or timed out before the
 *   handshake finished);
 * - `server`: the server answered, with an error or something that is not valid MCP.
 */
export type InspectFailureKind = 'usage' | 'auth' | 'unreachable' | 'server';

/** When the failure happened: before the connection was established, or after. */
export type InspectPhase = 'connect' | 'request';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_URI',
  'UNSUPPORTED_SCHEME',
  'INVALID_OPTIONS',
  // A target the SSRF guard refuses is the command line's to change (--allow-private-backends).
  'SSRF_BLOCKED',
]);

// Local codes that mean "the other side could not be reached (any more)".
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'SPAWN_FAILED',
  'CHILD_EXITED',
  'CONNECTION_FAILED',
  'CONNECTION_REJECTED',
  'TRANSPORT_CLOSED',
  'WRITE_FAILED',
  'UPSTREAM_TIMEOUT',
  'SESSION_EXPIRED',
]);

// Local codes of authentication walls (HTTP 401/403 from our HTTP client transports).
const AUTH_CODES: ReadonlySet<string> = new Set(['AUTH_REQUIRED', 'FORBIDDEN']);

// Node system error codes that mean the peer is not there.
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'EACCES',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const MAX_MESSAGE = 400;

const SDK_UNREACHABLE: ReadonlySet<SdkErrorCode> = new Set([
  SdkErrorCode.ConnectionClosed,
  SdkErrorCode.NotConnected,
  SdkErrorCode.SendFailed,
  SdkErrorCode.ClientHttpFailedToOpenStream,
]);

const SDK_INVALID_ANSWER: ReadonlySet<SdkErrorCode> = new Set([
  SdkErrorCode.InvalidResult,
  SdkErrorCode.UnsupportedResultType,
  SdkErrorCode.ListPaginationExceeded,
  SdkErrorCode.InputRequiredRoundsExceeded,
]);

function* causes(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Bounded: a cause chain is short, and a cycle ends the walk.
  for (let depth = 0; depth < 16 && current !== undefined && !seen.has(current); depth++) {
    seen.add(current);
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof SdkHttpError) return error.status;
  if (error instanceof SwitchboardError) {
    const status = error.details.status ?? error.details.httpStatus;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Sorts a failure into an {@link InspectFailureKind}, looking through the whole `cause` chain.
 *
 * @param error - what was thrown
 * @param phase - whether the connection had been established when it was thrown
 * @example
 * ```ts
 * classifyFailure(new SwitchboardError('SPAWN_FAILED', 'ENOENT'), 'connect'); // 'unreachable'
 * ```
 */
export function classifyFailure(error: unknown, phase: InspectPhase): InspectFailureKind {
  const chain = [...causes(error)];
  for (const e of chain) {
    const status = httpStatusOf(e);
    if (status === 401 || status === 403) return 'auth';
    if (e instanceof UnauthorizedError) return 'auth';
    if (e instanceof SdkError) {
      if (e.code === SdkErrorCode.ClientHttpAuthentication || e.code === SdkErrorCode.ClientHttpForbidden) {
        return 'auth';
      }
    }
    const code = codeOf(e);
    if (code !== undefined && AUTH_CODES.has(code)) return 'auth';
  }
  const first = chain[0];
  if (first instanceof SwitchboardError && USAGE_CODES.has(first.code)) return 'usage';
  if (first instanceof ProtocolError) return 'server';
  for (const e of chain) {
    const code = codeOf(e);
    if (e instanceof SwitchboardError && UNREACHABLE_CODES.has(e.code)) return 'unreachable';
    if (code !== undefined && NETWORK_CODES.has(code)) return 'unreachable';
    if (e instanceof SdkError) {
      if (SDK_UNREACHABLE.has(e.code)) return 'unreachable';
      if (e.code === SdkErrorCode.RequestTimeout) return phase === 'connect' ? 'unreachable' : 'server';
      if (SDK_INVALID_ANSWER.has(e.code)) return 'server'; // it answered, with something that is not valid MCP
    }
    if (e instanceof SdkHttpError && e.status >= 500) return 'server';
    if (e instanceof SwitchboardError && e.code === 'HTTP_ERROR') {
      return (httpStatusOf(e) ?? 0) >= 500 ? 'server' : 'unreachable';
    }
  }
  return phase === 'connect' ? 'unreachable' : 'server';
}

/**
 * A one-line message for a failure, with the most useful facts from the cause chain (the JSON-RPC
 * code, a child's exit code and last stderr line).
 *
 * @param error - what was thrown
 */
export function describeFailure(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // One line, bounded: SDK validation messages embed pretty-printed JSON.
  const collapsed = raw.replace(/\s+/g, ' ').trim();
  const first = collapsed.length > MAX_MESSAGE ? `${collapsed.slice(0, MAX_MESSAGE - 1)}…` : collapsed;
  const extras: string[] = [];
  for (const e of causes(error)) {
    if (e instanceof ProtocolError) extras.push(`JSON-RPC error ${e.code}`);
    if (e instanceof SwitchboardError) {
      if (e.details.exitCode !== undefined && e.details.exitCode !== null)
        extras.push(`exit code ${e.details.exitCode}`);
      if (e.details.signal) extras.push(`signal ${e.details.signal}`);
      const tail = e.details.stderrTail?.filter((line) => line.trim() !== '').at(-1);
      if (tail !== undefined) extras.push(`stderr: ${tail.trim()}`);
    }
    const status = httpStatusOf(e);
    if (status !== undefined) extras.push(`HTTP ${status}`);
  }
  const unique = [...new Set(extras)].filter((extra) => !first.includes(extra));
  return unique.length > 0 ? `${first} (${unique.join('; ')})` : first;
}
