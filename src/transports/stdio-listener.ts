import type { Listener, ListenerOptions } from '../listener.js';
import { StdioServerTransport, type StdioServerOptions } from './stdio-server.js';

/** A listener on this process's stdio; `closed` resolves when the client ended the connection. */
export interface StdioListener extends Listener {
  readonly closed: Promise<void>;
}

/**
 * Serves on this process's own stdin/stdout: a "listener" with exactly one connection, the client that
 * launched us. It is done when that connection closes (stdin EOF): see `closed`.
 *
 * @example
 * ```ts
 * const listener = await listenStdio({ onConnection: (t) => void server.connect(t) });
 * await listener.closed;
 * ```
 */
export function listenStdio(
  options: ListenerOptions & Pick<StdioServerOptions, 'stdin' | 'stdout'>,
): Promise<StdioListener> {
  const transport = new StdioServerTransport({
    stdin: options.stdin,
    stdout: options.stdout,
    maxMessageBytes: options.maxMessageBytes,
  });
  options.onConnection(transport, {});
  return Promise.resolve({
    url: 'stdio:',
    get connectionCount() {
      return transport.closed ? 0 : 1;
    },
    closed: transport.whenClosed(),
    close: () => transport.close(),
  });
}
