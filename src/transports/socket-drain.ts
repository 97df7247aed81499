import { toSwitchboardError } from '../errors.js';

/** Default grace period of a listener's close: 5 s. */
export const DEFAULT_CLOSE_GRACE_MS = 5_000;

/** One open connection of a listener, as the drain sees it. */
export interface DrainableConnection {
  /** Resolves once no request is in flight on the connection. */
  whenIdle(): Promise<void>;
  /** Orderly close (flush, then end). */
  close(): Promise<void>;
  /** Abrupt close (destroy the socket); the connection's `closed` settles soon after. */
  force(): void;
  /** Settles when the underlying socket is gone. */
  readonly closed: Promise<void>;
}

/**
 * The shutdown order of a listener after it stopped accepting (fastify's order): idle connections are
 * closed at once, busy ones as soon as their last request is answered, and whatever is still open when
 * the grace period ends is forced closed.
 *
 * @param connections - the open connections
 * @param graceMs - how long busy connections may take (default 5000)
 * @param onError - receives errors of individual closes (never thrown)
 */
export async function drainConnections(
  connections: readonly DrainableConnection[],
  graceMs: number = DEFAULT_CLOSE_GRACE_MS,
  onError?: (error: Error) => void,
): Promise<void> {
  if (connections.length === 0) return;
  for (const c of connections) {
    c.whenIdle()
      .then(() => c.close())
      .catch((error: unknown) => onError?.(toSwitchboardError(error)));
  }
  const allClosed = Promise.all(connections.map((c) => c.closed));
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, graceMs));
  });
  await Promise.race([allClosed, graceOver]);
  clearTimeout(timer);
  for (const c of connections) c.force();
  await allClosed;
}
