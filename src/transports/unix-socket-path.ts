import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { SwitchboardError } from '../errors.js';
import { LISTEN_BACKLOG } from './listen-backlog.js';

/** Default permissions of a listening Unix socket file: 0600 (only the owner may connect). */
export const DEFAULT_UNIX_SOCKET_MODE = 0o600;

/** How long the liveness probe of an existing socket file may take: 1 s. */
const PROBE_TIMEOUT_MS = 1_000;

/** Identity of the socket file a listener created, so it removes only its own file. */
export interface SocketFileIdentity {
  dev: number;
  ino: number;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** `true` if something accepts connections on `socketPath`. */
function probe(socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: socketPath });
    const done = (alive: boolean | Error): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      if (alive instanceof Error) reject(alive);
      else resolve(alive);
    };
    // A listener too busy to accept within the timeout is still a listener.
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') done(false);
      else done(error);
    });
  });
}

/**
 * Makes `socketPath` free to bind: nothing there is fine; a stale socket file (nobody listens) is
 * removed; a live socket or any other kind of file is refused.
 *
 * @throws SwitchboardError `UNSAFE_SOCKET_PATH` when the path exists and is not a socket;
 *   `LISTEN_FAILED` (`details.systemCode: 'EADDRINUSE'`) when another process listens on it
 */
export async function prepareUnixSocketPath(socketPath: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(socketPath);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw new SwitchboardError('LISTEN_FAILED', `Cannot inspect ${socketPath}`, { cause: error });
  }
  if (!stats.isSocket()) {
    throw new SwitchboardError(
      'UNSAFE_SOCKET_PATH',
      `${socketPath} exists and is not a socket; refusing to replace it`,
      { details: { path: socketPath } },
    );
  }
  let alive: boolean;
  try {
    alive = await probe(socketPath);
  } catch (cause) {
    throw new SwitchboardError('LISTEN_FAILED', `Cannot tell whether ${socketPath} is in use`, { cause });
  }
  if (alive) {
    throw new SwitchboardError('LISTEN_FAILED', `Another process listens on ${socketPath}`, {
      details: { systemCode: 'EADDRINUSE', path: socketPath },
    });
  }
  try {
    await unlink(socketPath);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') {
      throw new SwitchboardError('LISTEN_FAILED', `Cannot remove the stale socket ${socketPath}`, {
        cause: error,
      });
    }
  }
}

/**
 * Binds `server` to `socketPath` with the file created at `mode`, and returns the file's identity.
 *
 * The process umask is narrowed around the synchronous bind so the file never exists with wider
 * permissions (where the umask cannot be changed, e.g. in worker threads, only the `chmod` after the
 * bind applies).
 */
export async function bindUnixSocket(
  server: net.Server,
  socketPath: string,
  mode: number,
): Promise<SocketFileIdentity> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    let previous: number | undefined;
    try {
      previous = process.umask(0o777 & ~mode);
    } catch {
      previous = undefined;
    }
    try {
      server.listen({ path: socketPath, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  await chmod(socketPath, mode);
  const stats = await lstat(socketPath);
  return { dev: stats.dev, ino: stats.ino };
}

/**
 * Removes the socket file if it is still the one this listener created. Never throws.
 *
 * On Linux and macOS, libuv already unlinks the path when the server closes (whatever file is there by
 * then); this is the safety net for platforms and Node versions where it does not.
 */
export async function removeOwnSocket(socketPath: string, identity: SocketFileIdentity): Promise<void> {
  try {
    const stats = await lstat(socketPath);
    if (stats.isSocket() && stats.dev === identity.dev && stats.ino === identity.ino) {
      await unlink(socketPath);
    }
  } catch {
    // Already gone (or replaced and unreadable): nothing of ours to remove.
  }
}
