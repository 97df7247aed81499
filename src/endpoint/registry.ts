import { SwitchboardError } from '../errors.js';
import type { Listener, ListenerOptions } from '../listener.js';
import type { Transport } from '../transport.js';
import { schemes } from './schemes/index.js';
import type { ConnectOptions, EndpointScheme, ListenOptions } from './scheme.js';

function parse(uri: string): { url: URL; scheme: EndpointScheme } {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  if (!match?.[1]) {
    throw new SwitchboardError('INVALID_URI', `Not an endpoint URI: "${uri}". ${supportedList()}`);
  }
  const name = match[1].toLowerCase();
  const scheme = schemes[name];
  if (scheme === undefined) {
    throw new SwitchboardError(
      'UNSUPPORTED_SCHEME',
      `Unsupported scheme "${name}:" in "${uri}". ${supportedList()}`,
    );
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw new SwitchboardError('INVALID_URI', `Malformed URI "${uri}". Example: ${scheme.example}`, {
      cause,
    });
  }
  return { url, scheme };
}

function supportedList(): string {
  return `Supported: ${Object.values(schemes)
    .map((s) => s.example)
    .join(', ')}`;
}

/**
 * Creates an *unstarted* client transport for an endpoint URI; `start()` (called by the SDK's
 * `connect()`) opens the connection.
 *
 * @param uri - e.g. `tcp://127.0.0.1:7000`, `unix:///run/mcp.sock`, `ws://localhost:8080/mcp`, `memory:demo`
 * @param options - transport options (limits, TLS, headers, the command for `stdio:`)
 * @throws SwitchboardError `INVALID_URI` / `UNSUPPORTED_SCHEME` (listing the supported schemes), or the
 *   scheme's own validation error
 * @example
 * ```ts
 * await client.connect(connect('tcp://127.0.0.1:7000'));
 * ```
 */
export function connect(uri: string, options: ConnectOptions = {}): Transport {
  const { url, scheme } = parse(uri);
  if (!scheme.connect) {
    throw new SwitchboardError(
      'UNSUPPORTED_SCHEME',
      `"${scheme.name}:" cannot be connected to. ${supportedList()}`,
    );
  }
  return scheme.connect(url, options, uri);
}

/**
 * Binds a listener for an endpoint URI; each accepted connection or session is handed to
 * `options.onConnection` as its own transport.
 *
 * @param uri - e.g. `tcp://127.0.0.1:0`, `unix:///tmp/mcp.sock`, `ws://127.0.0.1:8080/mcp`, `memory:demo`
 * @throws SwitchboardError `INVALID_URI` / `UNSUPPORTED_SCHEME`, or a bind error
 */
export async function listen(uri: string, options: ListenerOptions & ListenOptions): Promise<Listener> {
  const { url, scheme } = parse(uri);
  if (!scheme.listen) {
    throw new SwitchboardError(
      'UNSUPPORTED_SCHEME',
      `"${scheme.name}:" cannot be listened on. ${supportedList()}`,
    );
  }
  return scheme.listen(url, options, uri);
}

/** The registered scheme names, e.g. for `--help` texts. */
export function supportedSchemes(): string[] {
  return Object.keys(schemes);
}
