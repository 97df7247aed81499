import type net from 'node:net';
import { SwitchboardError } from '../errors.js';
import type { PeerInfo } from '../transport.js';
import {
  buildSocketConnector,
  type SocketConnectOptions,
  type SocketConnector,
  type SocketTarget,
} from './socket-connect.js';
import { StreamTransport, type StreamPair, type StreamTransportOptions } from './stream-transport.js';
import { peerInfoOf } from './tls-options.js';

export { buildSocketConnector } from './socket-connect.js';
export type { SocketConnectOptions, SocketConnector, SocketTarget } from './socket-connect.js';
export type { PemInput, TlsClientOptions, TlsMinVersion } from './tls-options.js';

/** Reasons we end a connection on for the peer's behaviour: it is ended in order, with its answer. */
const REFUSALS = new Set(['BUFFER_BUDGET_EXCEEDED', 'FRAME_TIMEOUT']);

/** Default time `close()` waits for the peer to acknowledge the end of the connection: 2 s. */
export const DEFAULT_SOCKET_CLOSE_TIMEOUT_MS = 2_000;

/** Options of a client {@link SocketTransport}: where to connect, how, and the stream limits. */
export interface SocketClientOptions extends StreamTransportOptions, SocketConnectOptions {
  /** TCP host/port, TLS host/port (+ `tls` options) or Unix socket path. */
  target: SocketTarget;
  /** How long `close()` waits for the peer to end its side before destroying the socket (default 2000). */
  closeTimeoutMs?: number | undefined;
}

/**
 * Per-connection settings of `connect('tcp://…' | 'tls://…' | 'unix://…', { socket })`: everything of
 * {@link SocketClientOptions} the URI does not carry, plus `allowRelativePath` for `unix:` paths.
 */
export interface SocketConnectSettings extends Omit<
  SocketClientOptions,
  'target' | 'framing' | 'maxMessageBytes'
> {
  /** Accept a relative `unix:` path or one with `..` segments (default false). */
  allowRelativePath?: boolean | undefined;
}

/** Options of a {@link SocketTransport} over an already connected socket (what listeners use). */
export interface AcceptedSocketOptions extends StreamTransportOptions {
  /** The connected socket; the transport owns it from now on. */
  socket: net.Socket;
  /** How long `close()` waits for the peer to end its side before destroying the socket (default 2000). */
  closeTimeoutMs?: number | undefined;
}

/**
 * One MCP connection over a TCP, TLS or Unix socket: NDJSON framing by default (the stdio framing, as
 * the 2026-07-28 spec recommends for custom stream transports), `length-prefixed` on request.
 *
 * The three kinds differ only in how the socket is opened ({@link buildSocketConnector}). On TLS
 * connections the verified peer certificate's subject is available as {@link peerCertificateSubject}
 * and travels with every message as `extra.peer.certificateSubject`.
 *
 * @example
 * ```ts
 * const transport = new SocketTransport({ target: { kind: 'tcp', host: '127.0.0.1', port: 7000 } });
 * await client.connect(transport);
 * ```
 */
export class SocketTransport extends StreamTransport {
  readonly #connector: SocketConnector | undefined;
  readonly #closeTimeoutMs: number;
  readonly #abort = new AbortController();
  #socket: net.Socket | undefined;
  #peer: PeerInfo | undefined;

  /**
   * @param options - `{ target, … }` to connect on `start()`, or `{ socket }` to adopt a connected one
   * @throws SwitchboardError `INVALID_OPTIONS` / `UNSAFE_SOCKET_PATH` for a bad target
   */
  constructor(options: SocketClientOptions | AcceptedSocketOptions) {
    super(options);
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_SOCKET_CLOSE_TIMEOUT_MS;
    if ('socket' in options) {
      this.#socket = options.socket;
      // Until start() attaches the real handlers, a failing socket must not crash the process; the
      // failure surfaces at start() (the socket is then destroyed) or through the listener.
      options.socket.on('error', ignore);
    } else {
      this.#connector = buildSocketConnector(options.target, options);
    }
  }

  /**
   * The underlying socket, once connected: for inspection (addresses, TLS details). Writing to it
   * directly would corrupt the framing.
   */
  get socket(): net.Socket | undefined {
    return this.#socket;
  }

  /** Remote address and, for verified TLS peers, the certificate subject and fingerprint. */
  get peer(): PeerInfo | undefined {
    return this.#peer;
  }

  /** Subject of the peer's verified certificate (mTLS on a listener; the server's on a TLS client). */
  get peerCertificateSubject(): Record<string, string | string[]> | undefined {
    return this.#peer?.certificateSubject;
  }

  protected override async openStreams(): Promise<StreamPair> {
    const socket = this.#socket ?? (await this.#connect());
    this.#socket = socket;
    this.#peer = peerInfoOf(socket);
    this.setPeerInfo(this.#peer);
    socket.once('close', this.#onSocketClose);
    // Adopted sockets may have died before start(): report it as a close once start() completed.
    if (socket.destroyed) setImmediate(this.#onSocketClose);
    return { readable: socket, writable: socket };
  }

  protected override async teardown(reason: SwitchboardError | undefined): Promise<void> {
    this.#abort.abort();
    const socket = this.#socket;
    if (!socket) return;
    socket.off('close', this.#onSocketClose);
    socket.on('error', ignore);
    if (socket.destroyed) return;
    if (reason !== undefined && reason.code !== 'TRANSPORT_CLOSED' && !REFUSALS.has(reason.code)) {
      socket.destroy();
      return;
    }
    // Orderly close: flush what was written, send FIN, and keep reading so the peer's FIN arrives.
    // A peer we refuse (budget, deadline) gets this too, so it can read why before the socket goes.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, this.#closeTimeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.resume();
      socket.end();
    });
  }

  async #connect(): Promise<net.Socket> {
    const connector = this.#connector;
    if (!connector) throw new SwitchboardError('INTERNAL', 'SocketTransport has neither socket nor target');
    return connector(this.#abort.signal);
  }

  readonly #onSocketClose = (): void => {
    this.peerClosed(new SwitchboardError('TRANSPORT_CLOSED', 'The peer closed the connection'));
  };
}

function ignore(): void {
  // Errors of a socket that is being (or was) torn down carry no news.
}
