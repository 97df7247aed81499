import type { Dispatcher } from 'undici';
import { SwitchboardError } from '../../../errors.js';
import { resolveMaxMessageBytes } from '../../../framing/frame-parser.js';
import { normalizeHeaders } from './request-headers.js';

/** Backoff of stream reconnections when the server gave no `retry:` value. */
export interface ReconnectOptions {
  /** First delay in ms (default 1000). */
  initialDelayMs?: number | undefined;
  /** Largest delay in ms (default 30000). */
  maxDelayMs?: number | undefined;
  /** Growth per failed attempt (default 1.5). */
  growFactor?: number | undefined;
  /** Consecutive failed attempts before the stream is given up (default 5). */
  maxRetries?: number | undefined;
}

/** The facts handed to {@link HttpClientOptions.onUnauthorized}. */
export interface UnauthorizedChallenge {
  url: URL;
  /** The `WWW-Authenticate` header of the 401, if any (carries `resource_metadata` on OAuth servers). */
  wwwAuthenticate: string | undefined;
}

/** A bearer token, or a function returning the current one (called before every HTTP request). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

/** Options of the Streamable HTTP and legacy HTTP+SSE client transports. */
export interface HttpClientOptions {
  /** Extra headers on every request (e.g. an API key). Transport-owned names are refused. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Sent as `Authorization: Bearer <token>`; never put in the URL. */
  token?: TokenSource | undefined;
  /**
   * Called on HTTP 401. Resolve `true` after refreshing the token to retry the request once; otherwise
   * the send fails with `AUTH_REQUIRED` (whose `details.wwwAuthenticate` carries the challenge).
   */
  onUnauthorized?: ((challenge: UnauthorizedChallenge) => boolean | Promise<boolean>) | undefined;
  /** undici dispatcher (TLS options, proxies, connection limits). Default: undici's global dispatcher. */
  dispatcher?: Dispatcher | undefined;
  /** Largest message accepted (JSON body or SSE event) or sent, in bytes (default 32 MiB). */
  maxMessageBytes?: number | undefined;
  /**
   * `auto` (default): Streamable HTTP, falling back to the 2024-11-05 HTTP+SSE transport when the first
   * POST is answered the way the spec describes; `streamable-http`: never fall back; `sse`: legacy only.
   */
  transport?: 'auto' | 'streamable-http' | 'sse' | undefined;
  /** Resume an existing session (2025 era): its id, and the protocol version negotiated for it. */
  sessionId?: string | undefined;
  protocolVersion?: string | undefined;
  /** Open the standalone GET stream after initialization (2025 era; default `true`). */
  openGetStream?: boolean | undefined;
  /** Re-initialize transparently when the server forgot the session (default `true`). */
  sessionRecovery?: boolean | undefined;
  /** Called after a transparent re-initialization (for logs and metrics). */
  onSessionRecovered?:
    ((info: { previousSessionId: string | undefined; sessionId: string | undefined }) => void) | undefined;
  /** Send `DELETE` for the session on `close()` (default `true`). */
  terminateOnClose?: boolean | undefined;
  /** Longest wait for the `DELETE` on close, in ms (default 2000). */
  closeTimeoutMs?: number | undefined;
  /** Longest wait for response headers, in ms (default 300000, undici's). */
  headersTimeoutMs?: number | undefined;
  /** Longest silence on a response stream before it is treated as broken, in ms (default 0: none). */
  streamIdleTimeoutMs?: number | undefined;
  /** Stream reconnection backoff (the server's `retry:` field always takes precedence). */
  reconnect?: ReconnectOptions | undefined;
  /** Longest wait for the `endpoint` event of a legacy HTTP+SSE server, in ms (default 10000). */
  legacyEndpointTimeoutMs?: number | undefined;
  /** Longest wait for a transport-internal exchange (re-initialize, ping), in ms (default 30000). */
  internalRequestTimeoutMs?: number | undefined;
  /** Requests in flight at once; more are refused with `WRITE_FAILED` (default 4096). */
  maxInFlightRequests?: number | undefined;
}

/** {@link HttpClientOptions} with defaults applied and headers validated. */
export interface ResolvedHttpClientOptions {
  headers: Record<string, string>;
  token: TokenSource | undefined;
  onUnauthorized: HttpClientOptions['onUnauthorized'];
  dispatcher: Dispatcher | undefined;
  maxMessageBytes: number;
  transport: 'auto' | 'streamable-http' | 'sse';
  sessionId: string | undefined;
  protocolVersion: string | undefined;
  openGetStream: boolean;
  sessionRecovery: boolean;
  onSessionRecovered: HttpClientOptions['onSessionRecovered'];
  terminateOnClose: boolean;
  closeTimeoutMs: number;
  headersTimeoutMs: number | undefined;
  streamIdleTimeoutMs: number;
  reconnect: Required<{ [K in keyof ReconnectOptions]-?: number }>;
  legacyEndpointTimeoutMs: number;
  internalRequestTimeoutMs: number;
  maxInFlightRequests: number;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `${name} must be a finite number ≥ 0, got ${String(value)}`,
    );
  }
  return v;
}

/**
 * Applies defaults and validates.
 *
 * @throws SwitchboardError `INVALID_OPTIONS`
 */
export function resolveHttpClientOptions(options: HttpClientOptions = {}): ResolvedHttpClientOptions {
  const r = options.reconnect ?? {};
  return {
    headers: normalizeHeaders(options.headers, 'static'),
    token: options.token,
    onUnauthorized: options.onUnauthorized,
    dispatcher: options.dispatcher,
    maxMessageBytes: resolveMaxMessageBytes(options.maxMessageBytes),
    transport: options.transport ?? 'auto',
    sessionId: options.sessionId,
    protocolVersion: options.protocolVersion,
    openGetStream: options.openGetStream ?? true,
    sessionRecovery: options.sessionRecovery ?? true,
    onSessionRecovered: options.onSessionRecovered,
    terminateOnClose: options.terminateOnClose ?? true,
    closeTimeoutMs: nonNegative('closeTimeoutMs', options.closeTimeoutMs, 2000),
    headersTimeoutMs:
      options.headersTimeoutMs === undefined
        ? undefined
        : nonNegative('headersTimeoutMs', options.headersTimeoutMs, 0),
    streamIdleTimeoutMs: nonNegative('streamIdleTimeoutMs', options.streamIdleTimeoutMs, 0),
    reconnect: {
      initialDelayMs: nonNegative('reconnect.initialDelayMs', r.initialDelayMs, 1000),
      maxDelayMs: nonNegative('reconnect.maxDelayMs', r.maxDelayMs, 30_000),
      growFactor: nonNegative('reconnect.growFactor', r.growFactor, 1.5),
      maxRetries: nonNegative('reconnect.maxRetries', r.maxRetries, 5),
    },
    legacyEndpointTimeoutMs: nonNegative('legacyEndpointTimeoutMs', options.legacyEndpointTimeoutMs, 10_000),
    internalRequestTimeoutMs: nonNegative(
      'internalRequestTimeoutMs',
      options.internalRequestTimeoutMs,
      30_000,
    ),
    maxInFlightRequests: nonNegative('maxInFlightRequests', options.maxInFlightRequests, 4096),
  };
}

/** The value of the `Authorization` header for `token`, if any. */
export async function bearerHeader(token: TokenSource | undefined): Promise<string | undefined> {
  const value = typeof token === 'function' ? await token() : token;
  return value === undefined || value === '' ? undefined : `Bearer ${value}`;
}

/** Shortest wait before re-opening a stream, whatever the server or the options say (100 ms). */
export const MIN_RECONNECT_DELAY_MS = 100;

/** Delay before reconnection attempt `attempt` (0-based): the server's `retry:` if known, else backoff. */
export function reconnectDelay(
  policy: ResolvedHttpClientOptions['reconnect'],
  attempt: number,
  serverRetryMs: number | undefined,
): number {
  // The floor keeps a server that sends `retry: 0` and closes at once from making us spin.
  if (serverRetryMs !== undefined) return Math.max(serverRetryMs, MIN_RECONNECT_DELAY_MS);
  const base = Math.min(policy.initialDelayMs * policy.growFactor ** attempt, policy.maxDelayMs);
  // Jitter (±20%) so that many clients dropped at once do not reconnect in lockstep.
  return Math.max(Math.round(base * (0.8 + Math.random() * 0.4)), MIN_RECONNECT_DELAY_MS);
}
