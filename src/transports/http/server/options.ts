import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsOptions } from '../../../security/cors.js';
import type { SecurityHeadersOptions } from '../../../security/security-headers.js';
import type { AuthInfo } from '../../../transport.js';
import type { TlsServerOptions } from '../../tls-options.js';
import type { EventStore } from './event-store.js';
import type { HttpCompressionOptions } from './response-compression.js';

/** How a 2025-era POST that carries a request is answered when the client accepts both. */
export type ResponseMode = 'sse' | 'json';

/** An HTTP refusal produced by {@link HttpServerOptions.authenticate}. */
export interface HttpRejection {
  /** HTTP status, e.g. 401 or 403. */
  status: number;
  /** Human-readable reason, sent as the JSON-RPC error message (never a secret). */
  message: string;
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** A JSON body to send instead of the default JSON-RPC error (e.g. an OAuth error object). */
  body?: string | undefined;
}

/** What {@link HttpServerOptions.authenticate} decides: let in (with facts about the caller) or refuse. */
export type AuthenticateResult = { authInfo?: AuthInfo | undefined } | { reject: HttpRejection };

/**
 * Decides a parsed POST body before it reaches a session (after `authenticate`): `undefined` admits it;
 * an {@link HttpRejection} answers instead (e.g. 403 `insufficient_scope`, 429 with `Retry-After`).
 */
export type AdmitHook = (
  req: IncomingMessage,
  body: unknown,
  authInfo: AuthInfo | undefined,
) => HttpRejection | undefined;

/**
 * Handles a request outside the MCP endpoints (health checks, metrics, `/.well-known/…`).
 * Return `true` when it answered the request; `false` lets the listener route it (to MCP, or 404).
 */
export type ExtraRouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Paths of the deprecated HTTP+SSE (2024-11-05) transport. */
export interface LegacySseOptions {
  /** The SSE endpoint (default `/sse`). */
  ssePath?: string | undefined;
  /** The POST endpoint announced in the `endpoint` event (default `/messages`). */
  messagesPath?: string | undefined;
}

/**
 * Options of the HTTP listener (`http://` and `https://`): both Streamable HTTP eras on one endpoint plus
 * the legacy HTTP+SSE endpoints. Every limit has a default; security checks are on without any flag.
 */
export interface HttpServerOptions {
  /** The MCP endpoint path (default: the listen URI's path, or `/mcp` when it has none). */
  path?: string | undefined;
  /**
   * 2025 era: answer a request POST with an SSE stream (`sse`, default) or a single JSON body (`json`).
   * In `json` mode a POST is upgraded to a stream when the server sends something related to the request
   * before its response (progress, sampling), since clients must accept both.
   */
  responseMode?: ResponseMode | undefined;
  /** Which protocol eras the endpoint serves (default both). */
  eras?: { session?: boolean | undefined; stateless?: boolean | undefined } | undefined;
  /** The legacy HTTP+SSE endpoints (default on at `/sse` and `/messages`); `false` turns them off. */
  legacySse?: LegacySseOptions | false | undefined;
  /**
   * Event store for resumable 2025-era SSE streams (default: a bounded in-memory store); `false` turns
   * resumability (event ids, priming events, `Last-Event-ID`) off.
   */
  eventStore?: EventStore | false | undefined;
  /** `retry:` value sent with priming events, in ms (default 1000). */
  retryMs?: number | undefined;
  /** Interval of SSE keep-alive comments on idle streams, in ms (default 15 000; 0 turns them off). */
  keepAliveMs?: number | undefined;
  /** A 2025-era session with no open stream and no request in flight expires after this long (default 30 min). */
  sessionIdleTimeoutMs?: number | undefined;
  /**
   * Bytes an SSE stream may hold for a client that does not read (socket buffer included) before the
   * stream is closed with a `SLOW_CONSUMER` error (default 8 MiB; one larger message is always admitted).
   */
  maxSseBufferedBytes?: number | undefined;
  /** How long a full SSE stream may wait for the client to read before it is closed (default 30 000 ms). */
  sseDrainTimeoutMs?: number | undefined;
  /**
   * Origins allowed to call the endpoints (exact `scheme://host[:port]` strings), or `'*'`.
   * Default: loopback origins (`localhost`, `127.0.0.1`, `[::1]`, any port) for loopback binds, none
   * otherwise. Requests without an `Origin` header (non-browser clients) are always allowed.
   */
  allowedOrigins?: readonly string[] | '*' | undefined;
  /**
   * Host names (without port) the `Host` header may carry, or `'*'`. Default for loopback binds:
   * `localhost`, `127.0.0.1`, `[::1]` (DNS-rebinding protection); for other binds: any.
   */
  allowedHosts?: readonly string[] | '*' | undefined;
  /**
   * Runs before a request reaches an MCP session; its `authInfo` travels with each message as
   * `extra.authInfo`. A 2025-era session is bound to the `clientId` that opened it.
   */
  authenticate?: ((req: IncomingMessage) => AuthenticateResult | Promise<AuthenticateResult>) | undefined;
  /** Runs on every parsed MCP/legacy POST body after `authenticate` (authorization, rate limits). */
  admit?: AdmitHook | undefined;
  /**
   * CORS for browser clients on other origins (default: none — cross-origin pages cannot read
   * responses). The listed origins also pass the Origin check. Preflights (`OPTIONS`) are answered here.
   */
  cors?: CorsOptions | undefined;
  /**
   * Headers set on every response: nosniff, `frame-ancestors 'none'`, `no-store`, HSTS on https (on by
   * default; `false` turns them off).
   */
  securityHeaders?: SecurityHeadersOptions | false | undefined;
  /**
   * Decides a request that opens a session without a JSON-RPC body (`GET` of the legacy SSE endpoint),
   * after `authenticate`: `undefined` admits it; an {@link HttpRejection} answers instead (e.g. 429).
   */
  admitSession?:
    ((req: IncomingMessage, authInfo: AuthInfo | undefined) => HttpRejection | undefined) | undefined;
  /** Extra routes served by the same server (after the Host/Origin checks, before anything else). */
  onRequest?: ExtraRouteHandler | undefined;
  /** Time allowed to receive the request headers, in ms (default 20 000; slowloris guard). */
  headersTimeoutMs?: number | undefined;
  /** Time allowed to receive the whole request (headers and body), in ms (default 60 000). */
  requestTimeoutMs?: number | undefined;
  /** Idle time before a keep-alive connection is closed, in ms (default 5 000). */
  keepAliveTimeoutMs?: number | undefined;
  /** TLS material for `https://` (required there; ignored for `http://`). */
  tls?: TlsServerOptions | undefined;
  /**
   * `Content-Encoding` gzip/br for JSON bodies and SSE streams (each event flushed at once), as the
   * client's `Accept-Encoding` allows: `true` for the defaults, or codings and threshold (default off).
   */
  compression?: HttpCompressionOptions | boolean | undefined;
}

/** Default largest request body: 32 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Default bound on concurrent sessions (2025 era and legacy SSE together). */
export const DEFAULT_MAX_SESSIONS = 10_000;
/** Default SSE keep-alive interval. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;
/** Default idle expiry of a 2025-era session. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;
/** Default per-stream bound for a client that does not read. */
export const DEFAULT_MAX_SSE_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Default time a full SSE stream may wait for the client to read. */
export const DEFAULT_SSE_DRAIN_TIMEOUT_MS = 30_000;
/** Default `retry:` hint of priming events. */
export const DEFAULT_RETRY_MS = 1_000;
