import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SwitchboardError, toSwitchboardError } from '../../../errors.js';
import { processBufferBudget } from '../../../framing/buffer-budget.js';
import type { Listener, ListenerCloseOptions, ListenerOptions } from '../../../listener.js';
import type { Transport } from '../../../transport.js';
import type { TlsServerOptions } from '../../tls-options.js';
import { stripBrackets, tlsServerOptions } from '../../tls-options.js';
import { guardHandler, guardRequestHandler } from '../../handler-guard.js';
import { edgePolicy } from './edge-guard.js';
import { HttpRouter } from './http-router.js';
import { KeepAliveTicker } from './keep-alive.js';
import type { LegacySseTransport } from './legacy-sse-transport.js';
import { MemoryEventStore } from './memory-event-store.js';
import { securedResponseClass } from './secured-response.js';
import { securityHeaderList } from '../../../security/security-headers.js';
import { withResponseCompression } from './response-compression.js';
import {
  DEFAULT_KEEP_ALIVE_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SSE_BUFFERED_BYTES,
  DEFAULT_RETRY_MS,
  DEFAULT_SESSION_IDLE_MS,
  DEFAULT_SSE_DRAIN_TIMEOUT_MS,
  type HttpServerOptions,
} from './options.js';
import type { HttpConnectionInfo, HttpRuntime } from './runtime.js';
import { SessionRegistry } from './session-registry.js';
import type { SessionTransport } from './session-transport.js';
import type { SseWriterOptions } from './sse-writer.js';
import { StatelessHttpTransport } from './stateless-transport.js';
import { ToolHeaderRegistry } from './tool-headers.js';
import { LISTEN_BACKLOG } from '../../listen-backlog.js';

/** Options of {@link listenHttp}: the common listener options plus the HTTP and TLS keys. */
export interface HttpListenOptions extends ListenerOptions {
  http?: HttpServerOptions | undefined;
  /** TLS material for `https://` (also accepted as `http.tls`). */
  tls?: TlsServerOptions | undefined;
}

/** Bound on messages a session queues before its transport is started. */
const MAX_QUEUED_BEFORE_START = 1_000;
const DEFAULT_GRACE_MS = 5_000;

/**
 * A bound HTTP(S) listener serving MCP Streamable HTTP (both protocol eras on one endpoint) and the
 * legacy HTTP+SSE endpoints. See {@link listenHttp}.
 */
export class HttpListener implements Listener {
  readonly url: string;
  /** The Node server, e.g. to attach `upgrade` handlers. Routes belong in `http.onRequest`. */
  readonly server: http.Server;
  readonly #sessions: SessionRegistry<SessionTransport | LegacySseTransport>;
  readonly #stateless: () => StatelessHttpTransport | undefined;
  readonly #ticker: KeepAliveTicker;
  readonly #markClosing: () => void;
  #closing: Promise<void> | undefined;
  /** Open connections (removed as they close), for the shutdown to find those that never spoke. */
  readonly #sockets = new Set<Socket>();

  /** @internal */
  constructor(parts: {
    url: string;
    server: http.Server;
    sessions: SessionRegistry<SessionTransport | LegacySseTransport>;
    stateless: () => StatelessHttpTransport | undefined;
    ticker: KeepAliveTicker;
    markClosing: () => void;
  }) {
    this.url = parts.url;
    this.server = parts.server;
    this.#sessions = parts.sessions;
    this.#stateless = parts.stateless;
    this.#ticker = parts.ticker;
    this.#markClosing = parts.markClosing;
    this.server.on('connection', this.#onConnection);
  }

  readonly #onConnection = (socket: Socket): void => {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  };

  /** Open 2025-era and legacy sessions, plus one when the shared stateless transport exists. */
  get connectionCount(): number {
    return this.#sessions.size + (this.#stateless() ? 1 : 0);
  }

  /**
   * Stops accepting, closes every session (their transports fire `onclose`; open streams end), lets
   * in-flight HTTP exchanges finish for `graceMs` (default 5 s), then destroys what is left. Idempotent.
   */
  close(options: ListenerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.#closing;
  }

  async #shutdown(graceMs: number): Promise<void> {
    this.#markClosing();
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.#stateless()?.close();
    await this.#sessions.closeAll();
    this.server.closeIdleConnections();
    // Node counts a connection that never sent a request as busy (a preconnect, a client library's
    // spare): it would hold the shutdown for the whole grace period. One that sent nothing at all goes
    // now; over TLS the handshake's bytes count, so those still wait for the grace period.
    for (const socket of this.#sockets) if (socket.bytesRead === 0) socket.destroy();
    const force = setTimeout(() => this.server.closeAllConnections(), graceMs);
    force.unref();
    await stopped;
    clearTimeout(force);
    this.#ticker.close();
  }
}

function normalisePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * Binds an HTTP or HTTPS listener for MCP.
 *
 * - **Streamable HTTP, 2025 era** at the endpoint path: each session (`Mcp-Session-Id`, issued on
 *   `initialize`) is one transport handed to `onConnection`.
 * - **Streamable HTTP, 2026-07-28** at the same path (era detected per request): one shared, long-lived
 *   {@link StatelessHttpTransport} handed to `onConnection` on the first modern request.
 * - **HTTP+SSE (2024-11-05)** at `/sse` + `/messages` (configurable, or off): one transport per session.
 *
 * Origin and (for loopback binds) Host are validated, bodies are limited (`maxMessageBytes`, default
 * 32 MiB → 413), slow SSE readers are bounded, header/request timeouts guard against slowloris.
 *
 * @param url - `http://host:port/path` or `https://…` (port 0 picks a free port)
 * @throws SwitchboardError `INVALID_URI`, `INVALID_OPTIONS` (TLS), `LISTEN_FAILED` (bind error)
 * @example
 * ```ts
 * const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), {
 *   onConnection: (transport) => void createServer().connect(transport),
 * });
 * ```
 */
export async function listenHttp(url: URL, options: HttpListenOptions): Promise<HttpListener> {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') {
    throw new SwitchboardError(
      'INVALID_URI',
      `listenHttp needs an http:// or https:// URI, got "${url.href}"`,
    );
  }
  const o: HttpServerOptions = options.http ?? {};
  const report = (error: Error): void => {
    try {
      options.onError?.(error);
    } catch {
      // A throwing error handler must not break the listener.
    }
  };
  const ticker = new KeepAliveTicker(o.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
  const sse: SseWriterOptions = {
    maxBufferedBytes: o.maxSseBufferedBytes ?? DEFAULT_MAX_SSE_BUFFERED_BYTES,
    drainTimeoutMs: o.sseDrainTimeoutMs ?? DEFAULT_SSE_DRAIN_TIMEOUT_MS,
    ticker,
  };
  const sessions = new SessionRegistry<SessionTransport | LegacySseTransport>(
    o.sessionIdleTimeoutMs ?? DEFAULT_SESSION_IDLE_MS,
  );
  const serveMcp = o.mcp !== false;
  const legacy =
    o.legacySse === false || !serveMcp
      ? undefined
      : {
          ssePath: normalisePath(o.legacySse?.ssePath ?? '/sse'),
          messagesPath: normalisePath(o.legacySse?.messagesPath ?? '/messages'),
        };
  const mcpPath = normalisePath(
    o.path ?? (url.pathname === '/' || url.pathname === '' ? '/mcp' : url.pathname),
  );
  const eventStore = o.eventStore === false ? undefined : (o.eventStore ?? new MemoryEventStore());
  const onConnection = (transport: Transport, info: HttpConnectionInfo): void => {
    try {
      options.onConnection(transport, info);
    } catch (error) {
      report(toSwitchboardError(error));
      void transport.close();
    }
  };
  let stateless: StatelessHttpTransport | undefined;
  let closing = false;
  const tools = new ToolHeaderRegistry();
  const runtime: HttpRuntime = {
    scheme: secure ? 'https' : 'http',
    maxBodyBytes: options.maxMessageBytes ?? DEFAULT_MAX_BODY_BYTES,
    bufferBudget: options.bufferBudget ?? processBufferBudget,
    maxSessions: options.maxConnections ?? DEFAULT_MAX_SESSIONS,
    responseMode: o.responseMode ?? 'sse',
    eras: { session: o.eras?.session ?? true, stateless: o.eras?.stateless ?? true },
    messagesPath: legacy?.messagesPath ?? '/messages',
    sessions,
    tools,
    directory: o.sessionDirectory,
    sessionContext: {
      store: eventStore,
      journal: o.sessionDirectory?.journal,
      detaching: () => closing && o.sessionDirectory !== undefined,
      sse,
      retryMs: o.retryMs ?? DEFAULT_RETRY_MS,
      responseMode: o.responseMode ?? 'sse',
      maxQueuedBeforeStart: MAX_QUEUED_BEFORE_START,
      onEnded: (s) => sessions.delete(s),
    },
    legacyContext: { sse, maxQueuedBeforeStart: MAX_QUEUED_BEFORE_START, onEnded: (s) => sessions.delete(s) },
    stateless(inbound) {
      if (stateless !== undefined) return stateless;
      const t = new StatelessHttpTransport({
        sse,
        ticker,
        tools,
        maxQueuedBeforeStart: MAX_QUEUED_BEFORE_START,
        onEnded: (ended) => {
          if (stateless === ended) stateless = undefined;
        },
      });
      stateless = t;
      onConnection(t, {
        era: 'stateless',
        remoteAddress: inbound.req.socket.remoteAddress,
        remotePort: inbound.req.socket.remotePort,
      });
      // `onConnection` may have refused it (closed it): the caller sees `closed` and answers 503.
      return t;
    },
    onConnection,
    report,
  };
  const router = new HttpRouter(
    {
      mcpPath: serveMcp ? mcpPath : undefined,
      mounts: (o.mounts ?? [])
        .map((m) => ({
          path: normalisePath(m.path).replace(/\/+$/, '') || '/',
          handle: m.handle.bind(m),
        }))
        .sort((a, b) => b.path.length - a.path.length),
      legacy,
      edge: edgePolicy(url.hostname, o.allowedHosts, o.allowedOrigins, o.cors?.origins),
      authenticate: o.authenticate,
      admit: o.admit,
      admitSession: o.admitSession,
      cors: o.cors,
      onRequest: o.onRequest,
      isClosing: () => closing,
    },
    runtime,
  );
  const headersTimeout = o.headersTimeoutMs ?? 20_000;
  const serverOptions: http.ServerOptions = {
    headersTimeout,
    requestTimeout: o.requestTimeoutMs ?? 60_000,
    keepAliveTimeout: o.keepAliveTimeoutMs ?? 5_000,
    // Node checks the two timeouts above only this often (its default is 30 s).
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, headersTimeout / 4)),
    noDelay: true,
  };
  // Security headers on every response, added as its head is written (see securedResponseClass).
  if (o.securityHeaders !== false) {
    serverOptions.ServerResponse = securedResponseClass(securityHeaderList(secure, o.securityHeaders ?? {}));
  }
  const handle = o.compression
    ? withResponseCompression(router.handle, o.compression === true ? {} : o.compression)
    : router.handle;
  // The router answers its own failures; the guard is the last line for anything that escapes it.
  const guarded = guardRequestHandler('HTTP request', handle, report);
  const server = secure
    ? https.createServer({ ...serverOptions, ...tlsServerOptions(options.tls ?? o.tls) }, guarded)
    : http.createServer(serverOptions, guarded);
  server.on(
    'clientError',
    guardHandler(
      'HTTP client error',
      (error: NodeJS.ErrnoException, socket: Duplex) => {
        if (socket.writable && !socket.destroyed) {
          const status =
            error.code === 'HPE_HEADER_OVERFLOW'
              ? 431
              : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
                ? 408
                : 400;
          socket.end(
            `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
          );
        }
        socket.destroy();
      },
      report,
      (_error, socket) => socket.destroy(),
    ),
  );
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        new SwitchboardError('LISTEN_FAILED', `Cannot listen on ${url.host}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen({ port, host: stripBrackets(url.hostname), backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => report(toSwitchboardError(error)));
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  return new HttpListener({
    url: `${url.protocol}//${url.hostname}:${boundPort}${serveMcp ? mcpPath : url.pathname}`,
    server,
    sessions,
    stateless: () => stateless,
    ticker,
    markClosing: () => {
      closing = true;
    },
  });
}
