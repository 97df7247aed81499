import net from 'node:net';
import tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { processBufferBudget } from '../framing/buffer-budget.js';
import type { Listener, ListenerCloseOptions, ListenerOptions } from '../listener.js';
import { checkSocketPath } from '../security/socket-path.js';
import { DEFAULT_KEEPALIVE_MS } from './socket-connect.js';
import { AcceptedConnection } from './socket-connection.js';
import type { FrameDeadlineOptions } from './frame-deadlines.js';
import { guardHandler } from './handler-guard.js';
import { drainConnections, type DrainableConnection } from './socket-drain.js';
import { SocketTransport } from './socket-transport.js';
import type { StreamTransportOptions } from './stream-transport.js';
import { stripBrackets, tlsHandshakeError, tlsServerOptions, type TlsServerOptions } from './tls-options.js';
import {
  bindUnixSocket,
  DEFAULT_UNIX_SOCKET_MODE,
  prepareUnixSocketPath,
  removeOwnSocket,
  type SocketFileIdentity,
} from './unix-socket-path.js';
import { LISTEN_BACKLOG } from './listen-backlog.js';

export { AcceptedConnection } from './socket-connection.js';
export type { PeerAwareTransport } from './socket-connection.js';
export type { TlsServerOptions } from './tls-options.js';

/** Default cap on simultaneous connections of a socket or WebSocket listener: 1024. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** What a socket listener binds. */
export type SocketListenTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'tls'; host: string; port: number; tls: TlsServerOptions }
  | {
      kind: 'unix';
      path: string;
      /** Permissions of the socket file (default 0o600). */
      mode?: number | undefined;
      /** Accept a relative path or `..` segments (default false). */
      allowRelativePath?: boolean | undefined;
    };

/** Options of {@link listenSocket}. */
export interface SocketListenerOptions
  extends ListenerOptions, FrameDeadlineOptions, Pick<StreamTransportOptions, 'framing' | 'maxQueuedBytes'> {
  target: SocketListenTarget;
  /** TCP keep-alive delay of accepted connections in ms (default 30 000; 0 disables). */
  keepAliveMs?: number | undefined;
  /** How long an orderly close of one connection waits for the peer's FIN (default 2000). */
  closeTimeoutMs?: number | undefined;
}

/** Settings of `listen('tcp://…' | 'tls://…' | 'unix://…', { socket })` beyond the URI. */
export type SocketListenSettings = Pick<
  SocketListenerOptions,
  'keepAliveMs' | 'closeTimeoutMs' | 'maxQueuedBytes' | 'firstFrameTimeoutMs' | 'frameTimeoutMs'
>;

/** Settings of `listen('unix://…', { unix })`. */
export interface UnixListenSettings {
  /** Permissions of the socket file (default 0o600). */
  mode?: number | undefined;
  /** Accept a relative path or `..` segments (default false). */
  allowRelativePath?: boolean | undefined;
}

interface OpenConnection extends DrainableConnection {
  readonly connection: AcceptedConnection<SocketTransport>;
}

/**
 * A bound TCP, TLS or Unix socket listener: each accepted connection becomes its own
 * {@link SocketTransport} (wrapped in an {@link AcceptedConnection}), handed to `onConnection` unstarted.
 * Create one with {@link listenSocket}.
 */
export class SocketListener implements Listener {
  readonly #server: net.Server;
  readonly #options: SocketListenerOptions;
  readonly #open = new Set<OpenConnection>();
  #url = '';
  #unixFile: { path: string; identity: SocketFileIdentity } | undefined;
  #closing: Promise<void> | undefined;

  private constructor(server: net.Server, options: SocketListenerOptions) {
    this.#server = server;
    this.#options = options;
  }

  /** @internal Binds; see {@link listenSocket}. */
  static async create(options: SocketListenerOptions): Promise<SocketListener> {
    const { target } = options;
    const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
    const netOptions: net.ServerOpts = {
      noDelay: target.kind !== 'unix',
      keepAlive: target.kind !== 'unix' && keepAliveMs > 0,
      keepAliveInitialDelay: keepAliveMs,
    };
    const server =
      target.kind === 'tls'
        ? tls.createServer({ ...netOptions, ...tlsServerOptions(target.tls) })
        : net.createServer(netOptions);
    const listener = new SocketListener(server, options);
    const report = (error: Error): void => listener.#report(error);
    server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    server.on(
      target.kind === 'tls' ? 'secureConnection' : 'connection',
      guardHandler('socket accept', listener.#accept, report, (socket: net.Socket) => socket.destroy()),
    );
    server.on(
      'drop',
      guardHandler(
        'socket drop',
        (data?: net.DropArgument) =>
          report(
            new SwitchboardError(
              'CONNECTION_REJECTED',
              `Connection refused: maxConnections (${server.maxConnections}) reached`,
              { details: { remoteAddress: data?.remoteAddress } },
            ),
          ),
        report,
      ),
    );
    server.on(
      'tlsClientError',
      guardHandler(
        'TLS handshake',
        (error: Error, socket: tls.TLSSocket) => report(tlsHandshakeError(error, socket)),
        report,
        (_error, socket) => socket.destroy(),
      ),
    );
    await listener.#bind();
    server.on('error', (error) => report(toSwitchboardError(error, 'CONNECTION_FAILED')));
    return listener;
  }

  /** The URI clients connect to: the given host with the actual port, or the socket path. */
  get url(): string {
    return this.#url;
  }

  /** The bound address (`{ address, family, port }`, or the socket path). */
  get address(): net.AddressInfo | string | null {
    return this.#server.address();
  }

  get connectionCount(): number {
    return this.#open.size;
  }

  /**
   * Stops accepting, closes idle connections, lets busy ones finish, forces the rest after `graceMs`,
   * and removes the Unix socket file. Idempotent.
   */
  close(options: ListenerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.graceMs);
    return this.#closing;
  }

  async #bind(): Promise<void> {
    const { target } = this.#options;
    if (target.kind === 'unix') {
      const socketPath = checkSocketPath(target.path, { allowRelative: target.allowRelativePath });
      await prepareUnixSocketPath(socketPath);
      try {
        const identity = await bindUnixSocket(
          this.#server,
          socketPath,
          target.mode ?? DEFAULT_UNIX_SOCKET_MODE,
        );
        this.#unixFile = { path: socketPath, identity };
      } catch (cause) {
        this.#server.close();
        throw listenError(`unix:${socketPath}`, cause);
      }
      this.#url = `unix://${pathToFileURL(socketPath).pathname}`;
      return;
    }
    const host = stripBrackets(target.host);
    if (!Number.isInteger(target.port) || target.port < 0 || target.port > 65_535) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `Port must be an integer in 0..65535, got ${target.port}`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port: target.port, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    }).catch((cause: unknown) => {
      throw listenError(`${target.kind}://${target.host}:${target.port}`, cause);
    });
    const bound = this.#server.address() as net.AddressInfo;
    const urlHost = net.isIPv6(host) ? `[${host}]` : host;
    this.#url = `${target.kind}://${urlHost}:${bound.port}`;
  }

  readonly #accept = (socket: net.Socket): void => {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const o = this.#options;
    const transport = new SocketTransport({
      socket,
      framing: o.framing,
      maxMessageBytes: o.maxMessageBytes,
      maxQueuedBytes: o.maxQueuedBytes,
      closeTimeoutMs: o.closeTimeoutMs,
      bufferBudget: o.bufferBudget ?? processBufferBudget,
      frameDeadlines: { firstFrameTimeoutMs: o.firstFrameTimeoutMs, frameTimeoutMs: o.frameTimeoutMs },
      pauseReadsWhileSendBlocked: true,
    });
    const connection = new AcceptedConnection(transport);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const open: OpenConnection = {
      connection,
      closed,
      whenIdle: () => connection.whenIdle(),
      close: () => connection.close(),
      force: () => socket.destroy(),
    };
    this.#open.add(open);
    void closed.then(() => this.#open.delete(open));
    try {
      this.#options.onConnection(connection, {
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
      });
    } catch (error) {
      this.#report(toSwitchboardError(error));
      socket.destroy();
    }
  };

  async #shutdown(graceMs: number | undefined): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await drainConnections([...this.#open], graceMs, (e) => this.#report(e));
    await stopped;
    if (this.#unixFile) await removeOwnSocket(this.#unixFile.path, this.#unixFile.identity);
  }

  #report(error: Error): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A throwing error handler must not take the listener down.
    }
  }
}

function listenError(where: string, cause: unknown): SwitchboardError {
  if (cause instanceof SwitchboardError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new SwitchboardError('LISTEN_FAILED', `Cannot listen on ${where}: ${message}`, {
    cause,
    details: { systemCode: code },
  });
}

/**
 * Binds a TCP, TLS or Unix socket listener. Each accepted connection is handed to `onConnection` as its
 * own unstarted transport (never shared, never broadcast to).
 *
 * Defaults: at most 1024 simultaneous connections (`maxConnections`), NDJSON framing, 32 MiB messages,
 * incomplete messages of all connections bounded together by the process-wide 256 MiB `bufferBudget`,
 * a connection closed when it sends no complete message within 30 s (`firstFrameTimeoutMs`) or takes
 * more than 60 s over one message (`frameTimeoutMs`), reading paused while a connection's responses are
 * backed up, Unix socket files created with mode 0600 and removed on close, close grace period 5 s.
 *
 * @throws SwitchboardError `LISTEN_FAILED` (address in use, permission), `UNSAFE_SOCKET_PATH`,
 *   `INVALID_OPTIONS` (TLS without cert/key)
 * @example
 * ```ts
 * const listener = await listenSocket({
 *   target: { kind: 'tcp', host: '127.0.0.1', port: 0 },
 *   onConnection: (t) => void createDemoServer().connect(t),
 * });
 * console.error(listener.url); // tcp://127.0.0.1:41234
 * ```
 */
export function listenSocket(options: SocketListenerOptions): Promise<SocketListener> {
  return SocketListener.create(options);
}
