import type { BufferBudget } from './framing/buffer-budget.js';
import type { Transport } from './transport.js';

/** Facts about an accepted connection or session, handed to `onConnection` with its transport. */
export interface ConnectionInfo {
  /** Remote address of the peer, for network listeners. */
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  /** For HTTP listeners: the session id (2025 era) if any. */
  sessionId?: string | undefined;
  /**
   * The authenticated caller (`authInfo.clientId` of the session opener), when one is known. Listeners do
   * not set it; the security wiring of `serve` does, for per-principal limits.
   */
  principal?: string | undefined;
  /**
   * The session was taken over from another instance that died: its requests still in flight there
   * that reached a backend keeping them across the takeover (a worker pool): their answers arrive
   * through the re-attached backend and must still reach the client. (The session itself runs again,
   * or answers with an error, those that no backend will answer.)
   */
  resumedRequests?:
    | readonly { id: string | number; method: string; progressToken?: string | number | undefined }[]
    | undefined;
}

/** Options common to every listener. */
export interface ListenerOptions {
  /**
   * Receives one *unstarted* transport per accepted connection (socket listeners) or session (HTTP
   * listeners). Never shared between peers: what a transport sends goes to its own peer only.
   * Whoever receives it installs callbacks and calls `start()` (e.g. `server.connect(transport)`).
   */
  onConnection: (transport: Transport, info: ConnectionInfo) => void;
  /** Refuse connections beyond this many at once (default: per listener kind, documented there). */
  maxConnections?: number | undefined;
  /** Largest message in bytes (default 32 MiB). */
  maxMessageBytes?: number | undefined;
  /**
   * Bound on the bytes of incomplete messages buffered by all connections that share it (partial lines
   * on sockets, partial WebSocket messages, HTTP request bodies being read). A connection whose frame
   * does not fit is refused (`BUFFER_BUDGET_EXCEEDED`: socket and WebSocket connections are closed,
   * HTTP requests get 503); the others go on. Default: one budget of 256 MiB shared by every listener of
   * the process that was not given its own (`processBufferBudget`).
   */
  bufferBudget?: BufferBudget | undefined;
  /** Reports listener-level errors (accept failures, TLS handshake failures). Never thrown. */
  onError?: ((error: Error) => void) | undefined;
}

/** Options of {@link Listener.close}. */
export interface ListenerCloseOptions {
  /** How long open connections may drain before they are forced closed, in ms (default 5000). */
  graceMs?: number | undefined;
}

/**
 * A bound listener. Closing it stops accepting, closes idle connections, lets in-flight ones drain up to
 * the grace period, then forces the rest closed. `close()` is idempotent.
 */
export interface Listener {
  /** The URI clients connect to, with the actual bound port (port 0 resolved). */
  readonly url: string;
  /** Number of currently open connections/sessions. */
  readonly connectionCount: number;
  close(options?: ListenerCloseOptions): Promise<void>;
}
