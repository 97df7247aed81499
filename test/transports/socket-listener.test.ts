import net from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect, listen } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import type { Listener } from '../../src/listener.js';
import { isRequest, type JSONRPCMessage } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';
import { eventually, serveEach, tmpSocketPath, type Accepted } from './socket-pairs.js';

const listeners: Listener[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
  await Promise.allSettled(listeners.splice(0).map((l) => l.close({ graceMs: 200 })));
});

const uris: Record<string, () => string> = {
  tcp: () => 'tcp://127.0.0.1:0',
  unix: () => `unix://${tmpSocketPath()}`,
  ws: () => 'ws://127.0.0.1:0/mcp',
};

/** Resolves when `t` fires onclose (installs the callback). */
function closedPromise(t: Transport): Promise<void> {
  return new Promise((resolve) => {
    const previous = t.onclose;
    t.onclose = () => {
      previous?.();
      resolve();
    };
  });
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timeout: ${what}`)), ms)),
  ]);

function sdkClient(): Client {
  const client = new Client({ name: 'listener-test', version: '1.0.0' });
  cleanups.push(() => client.close());
  return client;
}

describe.each(Object.keys(uris))('%s listener', (kind) => {
  const uri = (): string => (uris[kind] as () => string)();

  it('exposes the bound address in url (port 0 → the real port)', async () => {
    const requested = uri();
    const listener = await listen(requested, { onConnection: (t) => void t.close() });
    listeners.push(listener);
    if (kind === 'unix') expect(listener.url).toBe(requested);
    else {
      const port = Number(new URL(listener.url).port);
      expect(port).toBeGreaterThan(0);
      expect(listener.url).toBe(requested.replace(':0', `:${port}`));
    }
  });

  it('200 concurrent connections each exchange 100 messages, none crossed or lost', async () => {
    const clients = 200;
    const perClient = 100;
    // Echo server: every request is answered on its own connection with what it carried.
    const listener = await listen(uri(), {
      onConnection: (t) => {
        t.onmessage = (m) => {
          if (isRequest(m)) {
            void t.send({ jsonrpc: '2.0', id: m.id, result: { echo: m.params } }).catch(() => undefined);
          }
        };
        void t.start();
      },
    });
    listeners.push(listener);
    const received: JSONRPCMessage[][] = Array.from({ length: clients }, () => []);
    const transports = Array.from({ length: clients }, (_, k) => {
      const t = connect(listener.url);
      t.onmessage = (m) => received[k]?.push(m);
      return t;
    });
    cleanups.push(() => Promise.all(transports.map((t) => t.close())));
    await Promise.all(transports.map((t) => t.start()));
    await eventually(() => listener.connectionCount === clients, 20_000, 'all connections accepted');
    await Promise.all(
      transports.map(async (t, k) => {
        for (let i = 0; i < perClient; i++) {
          await t.send({ jsonrpc: '2.0', id: `${k}-${i}`, method: 'echo', params: { k, i } });
        }
      }),
    );
    await eventually(() => received.every((r) => r.length >= perClient), 20_000, 'all replies');
    for (let k = 0; k < clients; k++) {
      expect(received[k]).toEqual(
        Array.from({ length: perClient }, (_, i) => ({
          jsonrpc: '2.0',
          id: `${k}-${i}`,
          result: { echo: { k, i } },
        })),
      );
    }
  });

  it('refuses connections beyond maxConnections and reports them', async () => {
    const errors: Error[] = [];
    const listener = await listen(uri(), {
      maxConnections: 2,
      onError: (e) => errors.push(e),
      onConnection: (t) => void t.start(),
    });
    listeners.push(listener);
    const ok = [connect(listener.url), connect(listener.url)];
    cleanups.push(() => Promise.all(ok.map((t) => t.close())));
    for (const t of ok) await t.start();
    await eventually(() => listener.connectionCount === 2);
    const extra = connect(listener.url);
    const extraClosed = closedPromise(extra);
    // TCP/Unix: the kernel accepts, the listener drops at once. WebSocket: the upgrade gets 503.
    const started = await extra.start().then(
      () => true,
      (e: unknown) => {
        expect(e).toMatchObject({ code: 'CONNECTION_REJECTED', details: { status: 503 } });
        return false;
      },
    );
    if (started) await within(extraClosed, 20_000, 'refused connection closes');
    await eventually(() =>
      errors.some((e) => e instanceof SwitchboardError && e.code === 'CONNECTION_REJECTED'),
    );
    expect(listener.connectionCount).toBe(2);
  });

  it('graceful close: idle connections close at once, busy ones finish their request, then refuse new ones', async () => {
    const { listener } = await serveEach(uri(), createDemoServer);
    listeners.push(listener);
    const idle = sdkClient();
    const busy = sdkClient();
    await idle.connect(connect(listener.url));
    await busy.connect(connect(listener.url));
    const events: string[] = [];
    const idleClosed = new Promise<void>((r) => (idle.onclose = r)).then(() => events.push('idle closed'));
    let firstStep!: () => void;
    const stepped = new Promise<void>((r) => (firstStep = r));
    const call = busy
      .callTool({ name: 'countdown', arguments: { steps: 3, delayMs: 100 } }, undefined, {
        onprogress: () => firstStep(),
      })
      .finally(() => events.push('busy answered'));
    // The request is in flight on the server once its first progress step has arrived.
    await within(stepped, 20_000, 'first progress step');
    // A grace period far longer than the waits below: closed within them means drained, not forced.
    const closing = listener.close({ graceMs: 60_000 });
    await within(idleClosed, 20_000, 'idle connection closed');
    const result = await call;
    expect((result.content as { text: string }[])[0]?.text).toBe('counted down 3 steps');
    expect(events).toEqual(['idle closed', 'busy answered']);
    await within(closing, 20_000, 'listener closed after the busy connection drained');
    expect(listener.connectionCount).toBe(0);
    await expect(connect(listener.url).start()).rejects.toBeInstanceOf(SwitchboardError);
  });

  it('graceful close forces connections still busy after the grace period', async () => {
    // A server that never answers: the request stays in flight.
    let accepted: Transport | undefined;
    const listener = await listen(uri(), {
      onConnection: (t) => {
        accepted = t;
        void t.start();
      },
    });
    listeners.push(listener);
    const client = connect(listener.url);
    const clientClosed = closedPromise(client);
    await client.start();
    await client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'never' } });
    await eventually(() => accepted !== undefined && (accepted as Accepted).idle === false);
    await within(listener.close({ graceMs: 300 }), 20_000, 'forced close');
    await within(clientClosed, 20_000, 'client sees the close');
  });

  it('an abrupt disconnect fails pending SDK requests promptly; the listener keeps serving', async () => {
    const served = await serveEach(uri(), createDemoServer);
    listeners.push(served.listener);
    const client = sdkClient();
    await client.connect(connect(served.listener.url));
    const call = client.callTool({ name: 'countdown', arguments: { steps: 50, delayMs: 100 } }, undefined, {
      timeout: 60_000,
    });
    await new Promise((r) => setTimeout(r, 50));
    // Kill the server side of the connection without any goodbye.
    const server = served.accepted[0]?.transport;
    if (server?.socket instanceof net.Socket) server.socket.destroy();
    else if (server?.socket instanceof WebSocket) server.socket.terminate();
    else throw new Error('no server-side socket');
    await expect(within(call, 20_000, 'pending request fails')).rejects.toThrow(/closed/i);
    await eventually(() => served.listener.connectionCount === 0);

    const other = sdkClient();
    await other.connect(connect(served.listener.url));
    const echo = await other.callTool({ name: 'echo', arguments: { message: 'still here' } });
    expect((echo.content as { text: string }[])[0]?.text).toBe('still here');
  });

  it('a client destroyed mid-message fires onclose on the server side', async () => {
    let server: Transport | undefined;
    const listener = await listen(uri(), {
      onConnection: (t) => {
        server = t;
        void t.start();
      },
    });
    listeners.push(listener);
    const client = connect(listener.url);
    await client.start();
    await eventually(() => server !== undefined);
    const serverClosed = closedPromise(server as Transport);
    const big = 'x'.repeat(4 * 1024 * 1024);
    void client.send({ jsonrpc: '2.0', id: 1, method: 'big', params: { big } }).catch(() => undefined);
    // Destroy the raw socket while the large message is still being written.
    const raw = (client as unknown as { socket: net.Socket | WebSocket }).socket;
    if (raw instanceof net.Socket) raw.destroy();
    else raw.terminate();
    await within(serverClosed, 20_000, 'server onclose');
    await eventually(() => listener.connectionCount === 0);
  });
});
