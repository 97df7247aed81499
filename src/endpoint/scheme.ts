import type { Listener, ListenerOptions } from '../listener.js';
import type { Transport } from '../transport.js';
import type { StdioClientOptions } from '../transports/stdio-client.js';
import type { FramingName } from '../framing/codec.js';

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
  // Each scheme adds its own typed, optional key below (e.g. `tls`, `websocket`, `http`).
}

/** Options accepted by `listen()` for any scheme, beyond {@link ListenerOptions}. */
export interface ListenOptions {
  /** Byte-stream framing for tcp/tls/unix (default `ndjson`). */
  framing?: FramingName | undefined;
  // Each scheme adds its own typed, optional key below (e.g. `tls`, `websocket`, `http`, `unix`).
}

/** One entry of the endpoint registry. */
export interface EndpointScheme {
  /** Scheme name without the colon, lower case (`tcp`, `sse+http`). */
  readonly name: string;
  /** An example URI shown in error messages and help. */
  readonly example: string;
  connect?: (url: URL, options: ConnectOptions) => Transport;
  listen?: (url: URL, options: ListenerOptions & ListenOptions) => Promise<Listener>;
}
