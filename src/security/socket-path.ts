import path from 'node:path';
import { SwitchboardError } from '../errors.js';

/** Options of {@link checkSocketPath}. */
export interface SocketPathPolicy {
  /**
   * Accept a relative path (resolved against the current directory) or one with `..` segments
   * (default `false`: such paths depend on where the process runs, or climb out of the directory they
   * seem to name).
   */
  allowRelative?: boolean | undefined;
}

/**
 * Longest Unix socket path the kernel accepts, in bytes, without the terminating NUL (`sun_path` is
 * 108 bytes on Linux and 104 on macOS/BSD).
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/**
 * Checks a Unix socket path before it is bound or connected to, and returns it normalised.
 *
 * Refused (code `UNSAFE_SOCKET_PATH`): an empty path, a NUL byte, a path longer than the kernel's
 * `sun_path`, and, unless `allowRelative`, a relative path or one with a `..` segment.
 *
 * @param socketPath - the path as given by the user (not yet normalised: `..` must still be visible)
 * @param policy - `allowRelative` (default false)
 * @returns the absolute, normalised path
 * @throws SwitchboardError `UNSAFE_SOCKET_PATH`
 * @example
 * ```ts
 * checkSocketPath('/run/mcp/server.sock'); // → '/run/mcp/server.sock'
 * checkSocketPath('mcp.sock');             // throws UNSAFE_SOCKET_PATH
 * ```
 */
export function checkSocketPath(socketPath: string, policy: SocketPathPolicy = {}): string {
  const refuse = (why: string): never => {
    throw new SwitchboardError('UNSAFE_SOCKET_PATH', `Unix socket path "${socketPath}" refused: ${why}`, {
      details: { path: socketPath },
    });
  };
  if (typeof socketPath !== 'string' || socketPath.length === 0) refuse('the path is empty');
  if (socketPath.includes('\0')) refuse('it contains a NUL byte');
  if (!policy.allowRelative) {
    if (!path.isAbsolute(socketPath)) {
      refuse('it is relative; give an absolute path (or set allowRelative to resolve it)');
    }
    if (socketPath.split(/[\\/]/).includes('..')) {
      refuse('it contains a ".." segment (or set allowRelative to permit it)');
    }
  }
  const resolved = path.resolve(socketPath);
  if (Buffer.byteLength(resolved) > MAX_SOCKET_PATH_BYTES) {
    refuse(`it is longer than ${MAX_SOCKET_PATH_BYTES} bytes, the kernel's limit for socket paths`);
  }
  return resolved;
}
