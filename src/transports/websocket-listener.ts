import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { loadWs } from '../lazy-modules.js';
import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { processBufferBudget } from '../framing/buffer-budget.js';
import { resolveMaxMessageBytes } from '../framing/frame-parser.js';
import type { ConnectionInfo, Listener, ListenerCloseOptions, ListenerOptions } from '../listener.js';
import type { AuthInfo } from '../transport.js';
import type { AuthenticateResult } from './http/server/options.js';
import type { FrameDeadlineOptions } from './frame-deadlines.js';
import { guardHandler, guardRequestHandler, guardUpgradeHandler } from './handler-guard.js';
import { requestPathname } from './request-url.js';
import { AcceptedConnection } from './socket-connection.js';
import { drainConnections, type DrainableConnection } from './socket-drain.js';
import { DEFAULT_MAX_CONNECTIONS } from './socket-listener.js';
import {
  peerInfoOf,
  stripBrackets,
  tlsHandshakeError,
  tlsServerOptions,
  type TlsServerOptions,
} from './tls-options.js';
import { isOriginAllowed } from './websocket-origin.js';
import { MCP_SUBPROTOCOL, type WebSocketCommonOptions } from './websocket-connect.js';
import { WebSocketTransport } from './websocket-transport.js';
import { LISTEN_BACKLOG } from './listen-backlog.js';

export { AcceptedConnection } from './socket-connection.js';
export { isOriginAllowed } from './websocket-origin.js';

/** Options of {@link listenWebSocket}. */
export interface WebSocketListenerOptions
  extends ListenerOptions, FrameDeadlineOptions, Omit<WebSocketCommonOptions, 'maxMessageBytes'> {
  /** Interface to bind (e.g. `127.0.0.1`; `0.0.0.0` exposes it to the network). */
  host: string;
  /** Port (0 picks a free one; see `url`). */
  port: number;
  /** URL paths upgrades are accepted on (default `['/']`); others get 404. */
  paths?: readonly string[] | undefined;
  /** Serve `wss://` with these TLS options (cert/key; `requestCert` for mTLS). */
  tls?: TlsServerOptions | undefined;
  /**
   * Browser origins allowed to connect (`['https://app.example.com']`, or `['*']`). Default: loopback
   * origins only. Upgrades without an `Origin` header (non-browser clients) are always allowed.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** Accept permessage-deflate when a client offers it (default false). */
  perMessageDeflate?: boolean | undefined;
  /**
   * Authenticates each upgrade request (after the Origin check, before the upgrade): a rejection is
   * answered with its status and headers (e.g. 401 + `WWW-Authenticate`); the `authInfo` of an admitted
   * one is handed to `onConnection` ({@link WebSocketConnectionInfo}).
   */
  authenticate?:
    ((req: http.IncomingMessage) => AuthenticateResult | Promise<AuthenticateResult>) | undefined;
  /**
   * A connection whose `authInfo.expiresAt` (a token's `exp`, in seconds) has passed is closed (code
   * 1008, reason "token expired") this long after it, in ms (default 0; give the clock skew a verifier
   * allows, so a connection lives exactly as long as its token would be accepted on a new request).
   */
  tokenExpiryGraceMs?: number | undefined;
}

/** Facts handed to `onConnection` with each WebSocket transport. */
export interface WebSocketConnectionInfo extends ConnectionInfo {
  /** What `authenticate` said about the caller, when configured. */
  authInfo?: AuthInfo | undefined;
}

/**
 * Settings of `listen('ws://…' | 'wss://…', { websocket })` beyond the URI (TLS goes in `tls`). When
 * `paths` is not given, upgrades are accepted on the URI's path and on `/`.
 */
export type WebSocketListenSettings = Omit<
  WebSocketListenerOptions,
  keyof ListenerOptions | 'host' | 'port' | 'tls'
>;

interface OpenConnection extends DrainableConnection {
  readonly connection: AcceptedConnection<WebSocketTransport>;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function refuseUpgrade(
  socket: Duplex,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): undefined {
  const body = `${message}\n`;
  // Header values come from our own code (challenges); CR/LF are stripped all the same.
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, ' ')}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\n${extra}` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return undefined;
}

function offeredProtocols(req: http.IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return header === undefined ? [] : header.split(',').map((p) => p.trim());
}

/**
 * A bound WebSocket listener (`ws://` or `wss://`): one {@link WebSocketTransport} per accepted
 * connection, handed to `onConnection` unstarted. Create one with {@link listenWebSocket}.
 */
export class WebSocketListener implements Listener {
  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  readonly #options: WebSocketListenerOptions;
  readonly #paths: readonly string[];
  readonly #maxConnections: number;
  readonly #maxMessageBytes: number;
  readonly #open = new Set<OpenConnection>();
  /** Slots held under the connection cap by upgrades not yet accepted or refused (authentication runs). */
  #reserved = 0;
  #url = '';
  #closing: Promise<void> | undefined;

  private constructor(options: WebSocketListenerOptions) {
    this.#options = options;
    this.#paths = options.paths && options.paths.length > 0 ? options.paths : ['/'];
    this.#maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.#maxMessageBytes = resolveMaxMessageBytes(options.maxMessageBytes);
    this.#server = options.tls ? https.createServer(tlsServerOptions(options.tls)) : http.createServer();
    this.#wss = new (loadWs().WebSocketServer)({
      noServer: true,
      clientTracking: false,
      maxPayload: this.#maxMessageBytes,
      perMessageDeflate: options.perMessageDeflate ?? false,
      handleProtocols: (protocols) => (protocols.has(MCP_SUBPROTOCOL) ? MCP_SUBPROTOCOL : false),
    });
    const report = (error: Error): void => this.#report(error);
    // Every handler Node calls is guarded: a fault answers 500 (or drops the socket) and is reported.
    this.#server.on('request', guardRequestHandler('WebSocket listener request', this.#onRequest, report));
    this.#server.on('upgrade', guardUpgradeHandler('WebSocket upgrade', this.#onUpgrade, report));
    this.#server.on(
      'tlsClientError',
      guardHandler(
        'TLS handshake',
        (error: Error, socket: tls.TLSSocket) => report(tlsHandshakeError(error, socket)),
        report,
        (_error, socket) => socket.destroy(),
      ),
    );
  }

  /** @internal Binds; see {@link listenWebSocket}. */
  static async create(options: WebSocketListenerOptions): Promise<WebSocketListener> {
    const listener = new WebSocketListener(options);
    await listener.#bind();
    return listener;
  }

  /** The URL clients connect to, with the actual port and the first accepted path. */
  get url(): string {
    return this.#url;
  }

  /** The bound address. */
  get address(): net.AddressInfo | string | null {
    return this.#server.address();
  }

  get connectionCount(): number {
    return this.#open.size;
  }

  /**
   * Stops accepting (later upgrades get 503), closes idle connections, lets busy ones finish, and
   * terminates the rest after `graceMs` (default 5000). Idempotent.
   */
  close(options: ListenerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.graceMs);
    return this.#closing;
  }

  async #bind(): Promise<void> {
    const { port } = this.#options;
    const host = stripBrackets(this.#options.host);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new SwitchboardError('INVALID_OPTIONS', `Port must be an integer in 0..65535, got ${port}`);
    }
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    }).catch((cause: unknown) => {
      throw new SwitchboardError(
        'LISTEN_FAILED',
        `Cannot listen on ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause, details: { systemCode: (cause as NodeJS.ErrnoException).code } },
      );
    });
    this.#server.on('error', (error) => this.#report(toSwitchboardError(error, 'CONNECTION_FAILED')));
    const bound = this.#server.address() as net.AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const scheme = this.#options.tls ? 'wss' : 'ws';
    this.#url = `${scheme}://${urlHost}:${bound.port}${this.#paths[0] ?? '/'}`;
  }

  readonly #onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const pathname = requestPathname(req.url);
    if (pathname === undefined) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('Bad request target\n');
      return;
    }
    const known = this.#paths.includes(pathname);
    res.writeHead(known ? 426 : 404, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
    res.end(known ? 'This is an MCP WebSocket endpoint (subprotocol "mcp").\n' : 'Not found\n');
  };

  readonly #onUpgrade = (
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> | undefined => {
    socket.on('error', () => undefined);
    if (this.#closing) return refuseUpgrade(socket, 503, 'Server is shutting down');
    const pathname = requestPathname(req.url);
    if (pathname === undefined) return refuseUpgrade(socket, 400, 'Bad request target');
    if (!this.#paths.includes(pathname)) return refuseUpgrade(socket, 404, 'No MCP endpoint at this path');
    const origin = req.headers.origin;
    if (!isOriginAllowed(origin, this.#options.allowedOrigins)) {
      this.#report(
        new SwitchboardError(
          'CONNECTION_REJECTED',
          `WebSocket upgrade refused: Origin ${origin} not allowed`,
          {
            details: { origin, remoteAddress: req.socket.remoteAddress },
          },
        ),
      );
      return refuseUpgrade(socket, 403, 'Origin not allowed');
    }
    const offered = offeredProtocols(req);
    if (offered.length > 0 && !offered.includes(MCP_SUBPROTOCOL)) {
      return refuseUpgrade(socket, 400, `Subprotocol "${MCP_SUBPROTOCOL}" required`);
    }
    // The slot is taken now, before authentication is awaited: concurrent upgrades cannot overshoot.
    if (this.#open.size + this.#reserved >= this.#maxConnections) {
      this.#report(
        new SwitchboardError(
          'CONNECTION_REJECTED',
          `Connection refused: maxConnections (${this.#maxConnections}) reached`,
          { details: { remoteAddress: req.socket.remoteAddress } },
        ),
      );
      return refuseUpgrade(socket, 503, 'Too many connections');
    }
    this.#reserved++;
    let held = true;
    const release = (): void => {
      if (held) this.#reserved--;
      held = false;
    };
    // A socket that dies before the handshake completes gives its slot back.
    socket.once('close', release);
    const upgrade = (authInfo: AuthInfo | undefined): void =>
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('close', release);
        release();
        this.#acceptGuarded(req, authInfo)(ws);
      });
    const authenticate = this.#options.authenticate;
    if (authenticate === undefined) {
      upgrade(undefined);
      return;
    }
    // Returned so the guard sees a failure of the continuation too (it answers 500 and reports it).
    return Promise.resolve()
      .then(() => authenticate(req))
      .then(
        (decided) => {
          if (socket.destroyed) return release();
          if (this.#closing) {
            release();
            return refuseUpgrade(socket, 503, 'Server is shutting down');
          }
          if ('reject' in decided) {
            release();
            const { status, message, headers } = decided.reject;
            return refuseUpgrade(socket, status, message, headers);
          }
          upgrade(decided.authInfo);
        },
        (error: unknown) => {
          release();
          this.#report(toSwitchboardError(error));
          refuseUpgrade(socket, 500, 'Internal error');
        },
      );
  };

  #acceptGuarded(req: http.IncomingMessage, authInfo: AuthInfo | undefined): (ws: WebSocket) => void {
    return guardHandler(
      'WebSocket accept',
      (ws: WebSocket) => this.#accept(ws, req, authInfo),
      (error) => this.#report(error),
      (ws) => ws.terminate(),
    );
  }

  /** Closes `ws` when the token it was admitted with expires (plus the configured grace). */
  #closeAtExpiry(ws: WebSocket, authInfo: AuthInfo | undefined, closed: Promise<void>): void {
    const expiresAt = authInfo?.expiresAt;
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return;
    const delay = expiresAt * 1000 + (this.#options.tokenExpiryGraceMs ?? 0) - Date.now();
    // setTimeout holds 2^31-1 ms at most; a token that outlives it is re-armed when the timer fires.
    const timer = setTimeout(
      () => {
        if (expiresAt * 1000 + (this.#options.tokenExpiryGraceMs ?? 0) > Date.now())
          return this.#closeAtExpiry(ws, authInfo, closed);
        ws.close(1008, 'token expired');
      },
      Math.min(Math.max(0, delay), 2 ** 31 - 1),
    );
    timer.unref();
    void closed.then(() => clearTimeout(timer));
  }

  #accept(ws: WebSocket, req: http.IncomingMessage, authInfo: AuthInfo | undefined): void {
    if (this.#closing) {
      ws.terminate();
      return;
    }
    const o = this.#options;
    const transport = new WebSocketTransport({
      socket: ws,
      peer: peerInfoOf(req.socket),
      maxMessageBytes: this.#maxMessageBytes,
      maxQueuedBytes: o.maxQueuedBytes,
      sendHighWaterMark: o.sendHighWaterMark,
      pingIntervalMs: o.pingIntervalMs,
      closeTimeoutMs: o.closeTimeoutMs,
      rawSocket: req.socket,
      bufferBudget: o.bufferBudget ?? processBufferBudget,
      frameDeadlines: { firstFrameTimeoutMs: o.firstFrameTimeoutMs, frameTimeoutMs: o.frameTimeoutMs },
      pauseReadsWhileSendBlocked: true,
    });
    const connection = new AcceptedConnection(transport);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    const open: OpenConnection = {
      connection,
      closed,
      whenIdle: () => connection.whenIdle(),
      close: () => connection.close(),
      force: () => ws.terminate(),
    };
    this.#open.add(open);
    void closed.then(() => this.#open.delete(open));
    this.#closeAtExpiry(ws, authInfo, closed);
    try {
      const info: WebSocketConnectionInfo = {
        remoteAddress: req.socket.remoteAddress,
        remotePort: req.socket.remotePort,
        ...(authInfo === undefined ? {} : { authInfo }),
      };
      this.#options.onConnection(connection, info);
    } catch (error) {
      this.#report(toSwitchboardError(error));
      ws.terminate();
    }
  }

  async #shutdown(graceMs: number | undefined): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await drainConnections([...this.#open], graceMs, (e) => this.#report(e));
    this.#server.closeAllConnections();
    await stopped;
  }

  #report(error: Error): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A throwing error handler must not take the listener down.
    }
  }
}

/**
 * Binds a WebSocket listener (a custom MCP transport: one JSON-RPC message per text frame,
 * subprotocol `mcp`). Each accepted connection is handed to `onConnection` as its own unstarted
 * transport.
 *
 * Defaults: loopback origins only (403 otherwise), paths `['/']`, 1024 connections (503 beyond),
 * 32 MiB messages (1009 beyond), incomplete messages of all connections bounded together by the
 * process-wide 256 MiB `bufferBudget` (1013 beyond), no complete message within 30 s of connecting or
 * one message taking more than 60 s closes with 1008, reading paused while a connection's outgoing
 * data is backed up, pings every 30 s, no compression, close grace 5 s. A request target that cannot
 * be parsed (`//[`) is answered 400.
 *
 * @throws SwitchboardError `LISTEN_FAILED`, `INVALID_OPTIONS`
 * @example
 * ```ts
 * const listener = await listenWebSocket({
 *   host: '127.0.0.1', port: 8080, paths: ['/mcp', '/'],
 *   onConnection: (t) => void createDemoServer().connect(t),
 * });
 * ```
 */
export function listenWebSocket(options: WebSocketListenerOptions): Promise<WebSocketListener> {
  return WebSocketListener.create(options);
}
