import { SwitchboardError } from '../../errors.js';
import { checkSocketPath } from '../../security/socket-path.js';
import { listenSocket } from '../../transports/socket-listener.js';
import { SocketTransport } from '../../transports/socket-transport.js';
import type { EndpointScheme } from '../scheme.js';

const EXAMPLE = 'unix:///run/mcp/server.sock';

/**
 * The socket path of a `unix:` URI, taken from the URI *as written*: URL parsing resolves `..`
 * segments (`unix:///tmp/../etc/x` would silently become `/etc/x`), and traversal must stay visible to
 * {@link checkSocketPath}.
 */
function socketPathOf(url: URL, raw: string | undefined, allowRelative: boolean | undefined): string {
  const bad = (why: string): never => {
    throw new SwitchboardError(
      'INVALID_URI',
      `Invalid unix: URI "${raw ?? url.href}": ${why}. Example: ${EXAMPLE}`,
    );
  };
  if (url.host !== '') bad('the host part must be empty (three slashes: unix:///abs/path)');
  if (url.search !== '' || url.hash !== '') bad('a query or fragment is not allowed');
  let encoded = raw === undefined ? url.pathname : raw.replace(/^unix:/i, '');
  if (encoded.startsWith('//')) encoded = encoded.slice(2); // empty authority, checked above
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch (cause) {
    throw new SwitchboardError('INVALID_URI', `Invalid percent-encoding in "${raw ?? url.href}"`, { cause });
  }
  if (decoded === '') bad('a socket path is required');
  try {
    return checkSocketPath(decoded, { allowRelative });
  } catch (error) {
    if (error instanceof SwitchboardError && !allowRelative && !decoded.startsWith('/')) {
      throw new SwitchboardError(
        'UNSAFE_SOCKET_PATH',
        `unix: URIs need an absolute path, e.g. ${EXAMPLE}; "${decoded}" is relative ` +
          '(set allowRelativePath to resolve it against the current directory)',
        { cause: error, details: { path: decoded } },
      );
    }
    throw error;
  }
}

/** `unix:///abs/path`: MCP over a Unix domain socket (file mode 0600 by default when listening). */
export const unixScheme: EndpointScheme = {
  name: 'unix',
  example: EXAMPLE,
  connect(url, options, uri) {
    const path = socketPathOf(url, uri, options.socket?.allowRelativePath);
    return new SocketTransport({
      ...options.socket,
      target: { kind: 'unix', path, allowRelativePath: true },
      framing: options.framing,
      maxMessageBytes: options.maxMessageBytes,
    });
  },
  async listen(url, options, uri) {
    const path = socketPathOf(url, uri, options.unix?.allowRelativePath);
    return listenSocket({
      ...options,
      ...options.socket,
      target: { kind: 'unix', path, mode: options.unix?.mode, allowRelativePath: true },
    });
  },
};
