import type { Listener, ListenerOptions } from '../listener.js';
import type { Transport } from '../transport.js';
import type { StdioClientOptions } from '../transports/stdio-client.js';
import type { FramingName } from '../framing/codec.js';
import type { SocketListenSettings, UnixListenSettings } from '../transports/socket-listener.js';
import type { SocketConnectSettings } from '../transports/socket-transport.js';
import type { TlsClientOptions, TlsServerOptions } from '../transports/tls-options.js';
import type { WebSocketListenSettings } from '../transports/websocket-listener.js';
import type { WebSocketConnectSettings } from '../transports/websocket-connect.js';
import type { HttpServerOptions } from '../transports/http/server/options.js';
import type { HttpClientOptions } from '../transports/http/client/http-client-options.js';
import type { RedisConnectSettings, RedisListenSettings } from '../queue/redis/redis-settings.js';

/**
 * Options accepted by `connect()` for any scheme. Each scheme reads the members that concern it and
 * ignores the rest, so one options object can describe a backend whatever its URI.
 */
export interface ConnectOptions {
  /** Largest message in bytes (default 32 MiB). */
  maxMessageBytes?: number | undefined;
  /** Byte-stream framing for stdio/tcp/tls/unix (default `ndjson`). */
  framing?: FramingName | undefined;
  /** For `stdio:`: the command to spawn (the URI carries no command). */
  stdio?: Omit<StdioClientOptions, 'maxMessageBytes' | 'framing'> | undefined;
  /** For `tls:`/`wss:`: CA, client certificate (mTLS), minimum version, SNI server name. */
  tls?: TlsClientOptions | undefined;
  /** For `tcp:`/`tls:`/`unix:`: connect timeout, keep-alive, send-queue bound, relative Unix paths. */
  socket?: SocketConnectSettings | undefined;
  /** For `ws:`/`wss:`: headers, Origin, compression, ping interval, send window. */
  websocket?: WebSocketConnectSettings | undefined;
  /** For `http(s):`/`sse+http(s):`: headers, bearer token, fallback, session recovery, reconnect, limits. */
  http?: HttpClientOptions | undefined;
  /** For `redis:`/`rediss:`: Redis TLS and timeouts, connection id, flow-control window. */
  redis?: RedisConnectSettings | undefined;
  // Each scheme adds its own typed, optional key below (e.g. `tls`, `websocket`, `http`).
}

/** Options accepted by `listen()` for any scheme, beyond {@link ListenerOptions}. */
export interface ListenOptions {
  /** Byte-stream framing for tcp/tls/unix (default `ndjson`). */
  framing?: FramingName | undefined;
  /** For `tls:`/`wss:`: certificate and key, CA and `requestCert` for mTLS, minimum version. */
  tls?: TlsServerOptions | undefined;
  /** For `tcp:`/`tls:`/`unix:`: keep-alive, close timeout, send-queue bound. */
  socket?: SocketListenSettings | undefined;
  /** For `unix:`: socket file mode (default 0600), relative paths. */
  unix?: UnixListenSettings | undefined;
  /** For `ws:`/`wss:`: allowed Origins, paths, compression, ping interval. */
  websocket?: WebSocketListenSettings | undefined;
  /** For `http:`/`https:`: MCP path, response mode, eras, legacy SSE paths, Origin/Host allow-lists, auth hook, limits. */
  http?: HttpServerOptions | undefined;
  /** For `redis:`/`rediss:` (a worker): TLS towards Redis, flow-control window, idle expiry. */
  redis?: RedisListenSettings | undefined;
  // Each scheme adds its own typed, optional key below (e.g. `tls`, `websocket`, `http`, `unix`).
}

/** One entry of the endpoint registry. */
export interface EndpointScheme {
  /** Scheme name without the colon, lower case (`tcp`, `sse+http`). */
  readonly name: string;
  /** An example URI shown in error messages and help. */
  readonly example: string;
  /** `uri` is the URI as written (before URL normalisation resolved `..` segments). */
  connect?: (url: URL, options: ConnectOptions, uri?: string) => Transport;
  listen?: (url: URL, options: ListenerOptions & ListenOptions, uri?: string) => Promise<Listener>;
}
