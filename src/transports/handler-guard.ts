import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { SwitchboardError, toSwitchboardError } from '../errors.js';

/** Receives what a guarded handler threw (or the promise it returned rejected with). Must not throw. */
export type FaultSink = (error: SwitchboardError) => void;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function faultOf(where: string, cause: unknown): SwitchboardError {
  const error = toSwitchboardError(cause);
  return new SwitchboardError('INTERNAL', `${where}: ${error.message}`, { cause });
}

/**
 * Wraps an event handler so that nothing it throws — synchronously or through the promise it returns —
 * escapes into the event emitter (where it would become an uncaught exception and end the process).
 * A fault is reported to `onFault` as an `INTERNAL` error; then `recover` runs with the same arguments
 * (answer the request, destroy the socket…). Neither may throw either: what they throw is dropped.
 *
 * Apply it at every boundary where Node calls our code: socket `'data'`, server `'request'`,
 * `'upgrade'` and `'connection'`, WebSocket `'message'`, child stdout/stderr `'data'`.
 *
 * @param where - names the boundary in the reported error (e.g. `'WebSocket upgrade'`)
 * @param handler - the handler to protect
 * @param onFault - where faults go (a logger, `onerror`)
 * @param recover - what to do for the peer after a fault (default: nothing)
 * @example
 * ```ts
 * server.on('connection', guardHandler('tcp accept', accept, report, (socket) => socket.destroy()));
 * ```
 */
export function guardHandler<A extends unknown[]>(
  where: string,
  handler: (...args: A) => unknown,
  onFault: FaultSink,
  recover?: (...args: A) => void,
): (...args: A) => void {
  const fail = (args: A, cause: unknown): void => {
    try {
      onFault(faultOf(where, cause));
    } catch {
      // The reporter failed as well: nothing more can be said, and the process must go on.
    }
    try {
      recover?.(...args);
    } catch {
      // Recovery is best effort (the peer may be gone already).
    }
  };
  return (...args: A): void => {
    try {
      const result = handler(...args);
      if (isThenable(result)) result.then(undefined, (cause: unknown) => fail(args, cause));
    } catch (cause) {
      fail(args, cause);
    }
  };
}

/**
 * {@link guardHandler} for an HTTP `'request'` handler: after a fault the client gets a 500 (or, when
 * the response already started, the connection is cut) and the server keeps serving.
 */
export function guardRequestHandler(
  where: string,
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  onFault: FaultSink,
): (req: IncomingMessage, res: ServerResponse) => void {
  return guardHandler(where, handler, onFault, (_req, res) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end('Internal error\n');
  });
}

/**
 * {@link guardHandler} for an HTTP `'upgrade'` handler: after a fault the client gets a plain 500 on
 * the raw socket, which is then closed.
 */
export function guardUpgradeHandler(
  where: string,
  handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown,
  onFault: FaultSink,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return guardHandler(where, handler, onFault, (_req, socket) => {
    if (socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}
