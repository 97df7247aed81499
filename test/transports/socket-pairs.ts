/**
 * Helpers for socket and WebSocket tests: a client transport ↔ listener connection pair for the
 * contract suite, temporary Unix socket paths, and a listener that serves an SDK server per connection.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { connect, listen } from '../../src/endpoint/registry.js';
import type { ConnectOptions, ListenOptions } from '../../src/endpoint/scheme.js';
import type { Listener, ListenerOptions } from '../../src/listener.js';
import type { Transport } from '../../src/transport.js';
import { LazyTransport } from '../../src/transports/lazy.js';
import type { AcceptedConnection } from '../../src/transports/socket-connection.js';
import type { SocketTransport } from '../../src/transports/socket-transport.js';
import type { WebSocketTransport } from '../../src/transports/websocket-transport.js';
import type { TransportPair } from '../contract/transport-contract.js';

/** A fresh socket path in the temp directory (short: `sun_path` is only 108 bytes). */
export function tmpSocketPath(): string {
  return path.join(os.tmpdir(), `sb-${randomUUID().slice(0, 12)}.sock`);
}

/** What listeners hand to `onConnection` in this library. */
export type Accepted = AcceptedConnection<SocketTransport | WebSocketTransport>;

/**
 * A listener on `uri` and one client connected to it: the client transport and the connection the
 * listener accepted. The server half exists only once the client connected, so it is lazy.
 */
export async function makeListenerPair(
  uri: string,
  listenOptions: ListenOptions & Partial<ListenerOptions> = {},
  connectOptions: ConnectOptions = {},
): Promise<TransportPair> {
  let resolveAccepted!: (c: Accepted) => void;
  const accepted = new Promise<Accepted>((resolve) => (resolveAccepted = resolve));
  const listener = await listen(uri, {
    ...listenOptions,
    onConnection: (t) => resolveAccepted(t as Accepted),
  });
  let connection: Accepted | undefined;
  const server = new LazyTransport(async () => (connection = await accepted));
  const client = connect(listener.url, connectOptions);
  return {
    client,
    server,
    stallServer: () => {
      const socket = connection?.transport.socket;
      socket?.pause();
      return () => socket?.resume();
    },
    cleanup: () => listener.close({ graceMs: 0 }),
  };
}

/**
 * Listens on `uri` and connects each accepted transport to a fresh server from `makeServer` (SDK
 * servers serve one transport each). Returns the listener and the accepted connections.
 */
export async function serveEach(
  uri: string,
  makeServer: () => { connect(t: Transport): Promise<void> },
  options: ListenOptions & Partial<ListenerOptions> = {},
): Promise<{ listener: Listener; accepted: Accepted[]; errors: Error[] }> {
  const accepted: Accepted[] = [];
  const errors: Error[] = [];
  const listener = await listen(uri, {
    onError: (e) => errors.push(e),
    ...options,
    onConnection: (t) => {
      accepted.push(t as Accepted);
      makeServer()
        .connect(t)
        .catch((e: unknown) => errors.push(e as Error));
    },
  });
  return { listener, accepted, errors };
}

/** Resolves when `predicate` holds, polling every 10 ms, or rejects after `ms`. */
export async function eventually(predicate: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
