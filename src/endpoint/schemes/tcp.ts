import { SwitchboardError } from '../../errors.js';
import { listenSocket } from '../../transports/socket-listener.js';
import { SocketTransport } from '../../transports/socket-transport.js';
import type { EndpointScheme } from '../scheme.js';

/**
 * Host and port of a `tcp://` / `tls://` URI. The URI is only an address: credentials, a path, a
 * query or a fragment are refused rather than silently ignored.
 *
 * @param url - the parsed URI
 * @param listening - `true` for `listen()` (port 0 allowed: pick a free one)
 * @throws SwitchboardError `INVALID_URI`
 */
export function hostAndPort(url: URL, listening: boolean): { host: string; port: number } {
  const scheme = url.protocol.slice(0, -1);
  const example = `${scheme}://127.0.0.1:7000`;
  const bad = (why: string): never => {
    throw new SwitchboardError(
      'INVALID_URI',
      `Invalid ${scheme}: URI "${url.href}": ${why}. Example: ${example}`,
    );
  };
  if (url.username !== '' || url.password !== '') bad('credentials are not allowed in the URI');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    bad('only host and port are allowed (no path, query or fragment)');
  }
  if (url.hostname === '') bad('a host is required');
  if (url.port === '') bad('a port is required');
  const port = Number(url.port);
  if (!listening && port === 0) bad('port 0 can only be listened on');
  return { host: url.hostname, port };
}

/** `tcp://host:port`: NDJSON (or length-prefixed) MCP over plain TCP. */
export const tcpScheme: EndpointScheme = {
  name: 'tcp',
  example: 'tcp://127.0.0.1:7000',
  connect(url, options) {
    const { host, port } = hostAndPort(url, false);
    return new SocketTransport({
      ...options.socket,
      target: { kind: 'tcp', host, port },
      framing: options.framing,
      maxMessageBytes: options.maxMessageBytes,
    });
  },
  async listen(url, options) {
    const { host, port } = hostAndPort(url, true);
    return listenSocket({ ...options, ...options.socket, target: { kind: 'tcp', host, port } });
  },
};
