import { processBufferBudget } from '../framing/buffer-budget.js';
import type { Listener, ListenerOptions } from '../listener.js';
import { StdioServerTransport, type StdioServerOptions } from './stdio-server.js';

/** A listener on this process's stdio; `closed` resolves when the client ended the connection. */
export interface StdioListener extends Listener {
  readonly closed: Promise<void>;
}

/**
 * Serves on this process's own stdin/stdout: a "listener" with exactly one connection, the client that
 * launched us. It is done when that connection closes (stdin EOF): see `closed`. Reading stdin pauses
 * while stdout is backed up; the incomplete line counts against `bufferBudget`. No frame deadlines: the
 * client that launched us may stay silent as long as it likes.
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
    bufferBudget: options.bufferBudget ?? processBufferBudget,
    // A client that writes requests but does not read our stdout must not make us buffer its answers.
    pauseReadsWhileSendBlocked: true,
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
