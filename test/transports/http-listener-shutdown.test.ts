/**
 * The HTTP listener's shutdown and connections that never sent a request: Node counts them as busy,
 * so they held the close for the whole grace period. One that sent nothing is closed at once.
 */
import net from 'node:net';
import { describe, it } from 'vitest';
import { listenHttp } from '../../src/transports/http/server/http-listener.js';

async function connect(url: URL): Promise<net.Socket> {
  const socket = net.connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

const closed = (socket: net.Socket): Promise<void> =>
  new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('HTTP listener shutdown', () => {
  it('closes a connection that never sent a byte at once, without waiting for the grace period', async () => {
    const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), { onConnection: () => undefined });
    const silent = await connect(new URL(listener.url));
    // A grace far beyond the test's timeout: only the silent connection could hold the close.
    await listener.close({ graceMs: 600_000 });
    await closed(silent);
  });
});
