/**
 * The transport contract suite: one set of behaviours every transport of the library must show, run
 * against each through a `makePair()` factory. A new transport joins by adding a factory (and, where a
 * behaviour cannot apply, an explicit skip with its reason).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';

/** A connected pair: what `client` sends, `server` receives, and back. Neither is started yet. */
export interface TransportPair {
  client: Transport;
  server: Transport;
  /**
   * Stops the server side from reading (a slow reader) until the returned function is called.
   * Needed by the backpressure test only.
   */
  stallServer?: () => () => void;
  /** Releases anything else the pair holds (listeners, child processes). */
  cleanup?: () => Promise<void>;
}

export type ContractTest =
  | 'round trip'
  | 'ordering'
  | 'concurrent sends'
  | 'large message'
  | 'close semantics'
  | 'peer close'
  | 'send after close'
  | 'start twice'
  | 'backpressure';

export interface ContractOptions {
  /** Behaviours that do not apply to this transport, each with the reason. */
  skip?: { test: ContractTest; reason: string }[];
  /** How long to wait for bulk delivery (default 30 s). */
  timeoutMs?: number;
  /**
   * Why concurrent client sends may arrive in another order (each one its own HTTP request, on several
   * connections). The 'concurrent sends' test then checks that each arrives exactly once; the order of
   * awaited sends ('ordering') and of the server's sends is still checked.
   */
  unorderedConcurrentClientSends?: string;
}

function collector(t: Transport): {
  messages: JSONRPCMessage[];
  waitFor: (n: number, ms: number) => Promise<void>;
} {
  const messages: JSONRPCMessage[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  t.onmessage = (m) => {
    messages.push(m);
    if (waiter && messages.length >= waiter.n) waiter.resolve();
  };
  return {
    messages,
    waitFor: (n, ms) =>
      new Promise<void>((resolve, reject) => {
        if (messages.length >= n) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`only ${messages.length}/${n} messages after ${ms} ms`)),
          ms,
        );
        waiter = {
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      }),
  };
}

function onClosed(t: Transport): { count: () => number; promise: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  t.onclose = () => {
    count++;
    resolve();
  };
  return { count: () => count, promise };
}

/** Starts both halves together: for some pairs the server half exists only once the client connected. */
const startBoth = async (client: Transport, server: Transport): Promise<void> => {
  await Promise.all([server.start(), client.start()]);
};

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timeout: ${what}`)), ms))]);

/**
 * Registers the contract tests for one transport.
 *
 * @param name - label of the describe block
 * @param makePair - builds a fresh, unstarted pair for each test
 */
export function runTransportContract(
  name: string,
  makePair: () => Promise<TransportPair>,
  options: ContractOptions = {},
): void {
  const skipped = new Map((options.skip ?? []).map((s) => [s.test, s.reason]));
  const timeout = options.timeoutMs ?? 30_000;
  const test = (title: ContractTest, fn: (pair: TransportPair) => Promise<void>, note = ''): void => {
    const reason = skipped.get(title);
    if (reason !== undefined) {
      it.skip(`${title} (skipped: ${reason})`, () => undefined);
      return;
    }
    it(
      title + note,
      async () => {
        const pair = await makePair();
        current.push(pair);
        await fn(pair);
      },
      timeout + 10_000,
    );
  };
  const current: TransportPair[] = [];

  describe(`transport contract: ${name}`, () => {
    afterEach(async () => {
      for (const pair of current.splice(0)) {
        await Promise.allSettled([pair.client.close(), pair.server.close()]);
        await pair.cleanup?.();
      }
    });

    test('round trip', async ({ client, server }) => {
      const atServer = collector(server);
      const atClient = collector(client);
      await startBoth(client, server);
      const request: JSONRPCMessage = {
        jsonrpc: '2.0',
        id: 'a-1',
        method: 'tools/call',
        params: {
          name: 'echo',
          arguments: { text: 'héllo 🌍 \n "quoted"' },
          _meta: { progressToken: 7, 'x/y': true },
        },
      };
      await client.send(request);
      await atServer.waitFor(1, timeout);
      expect(atServer.messages[0]).toEqual(request);
      const response: JSONRPCMessage = {
        jsonrpc: '2.0',
        id: 'a-1',
        result: { content: [{ type: 'text', text: 'ok' }] },
      };
      await server.send(response);
      await atClient.waitFor(1, timeout);
      expect(atClient.messages[0]).toEqual(response);
    });

    test('ordering', async ({ client, server }) => {
      const atServer = collector(server);
      await startBoth(client, server);
      const n = 10_000;
      for (let i = 0; i < n; i++)
        await client.send({ jsonrpc: '2.0', method: 'notifications/message', params: { i } });
      await atServer.waitFor(n, timeout);
      expect(atServer.messages.map((m) => (m.params as { i: number }).i)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
    });

    const unordered = options.unorderedConcurrentClientSends;
    test(
      'concurrent sends',
      async ({ client, server }) => {
        const atServer = collector(server);
        const atClient = collector(client);
        await startBoth(client, server);
        const n = 2_000;
        await Promise.all([
          ...Array.from({ length: n }, (_, i) => client.send({ jsonrpc: '2.0', id: i, method: 'ping' })),
          ...Array.from({ length: n }, (_, i) => server.send({ jsonrpc: '2.0', method: 'n', params: { i } })),
        ]);
        await atServer.waitFor(n, timeout);
        await atClient.waitFor(n, timeout);
        // Sends issued in order arrive in order, even when nobody awaited between them.
        const ids = atServer.messages.map((m) => m.id as number);
        expect(unordered === undefined ? ids : [...ids].sort((a, b) => a - b)).toEqual(
          Array.from({ length: n }, (_, i) => i),
        );
        expect(atClient.messages.map((m) => (m.params as { i: number }).i)).toEqual(
          Array.from({ length: n }, (_, i) => i),
        );
      },
      unordered === undefined ? '' : ` (client → server compared as a set: ${unordered})`,
    );

    test('large message', async ({ client, server }) => {
      const atServer = collector(server);
      const atClient = collector(client);
      await startBoth(client, server);
      const big = 'x'.repeat(8 * 1024 * 1024) + 'é';
      await client.send({ jsonrpc: '2.0', id: 1, method: 'big', params: { big } });
      await atServer.waitFor(1, timeout);
      expect((atServer.messages[0]?.params as { big: string }).big).toBe(big);
      await server.send({ jsonrpc: '2.0', id: 1, result: { big } });
      await atClient.waitFor(1, timeout);
      expect((atClient.messages[0]?.result as { big: string }).big).toBe(big);
    });

    test('close semantics', async ({ client, server }) => {
      const clientClosed = onClosed(client);
      onClosed(server);
      await startBoth(client, server);
      await Promise.all([client.close(), client.close()]);
      await client.close();
      await within(clientClosed.promise, timeout, 'client onclose');
      expect(clientClosed.count()).toBe(1);
    });

    test('peer close', async ({ client, server }) => {
      const serverClosed = onClosed(server);
      const clientClosed = onClosed(client);
      await startBoth(client, server);
      await client.close();
      await within(serverClosed.promise, timeout, 'server onclose after the client closed');
      await within(clientClosed.promise, timeout, 'client onclose');
      expect(serverClosed.count()).toBe(1);
      expect(clientClosed.count()).toBe(1);
    });

    test('send after close', async ({ client, server }) => {
      await startBoth(client, server);
      await client.close();
      const error: unknown = await client.send({ jsonrpc: '2.0', method: 'late' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SwitchboardError);
      expect((error as SwitchboardError).code).toBe('TRANSPORT_CLOSED');
    });

    test('start twice', async ({ client, server }) => {
      await startBoth(client, server);
      await expect(client.start()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    });

    test('backpressure', async (pair) => {
      const { client, server, stallServer } = pair;
      if (!stallServer) throw new Error('backpressure test needs stallServer() from the pair factory');
      const atServer = collector(server);
      await startBoth(client, server);
      const resume = stallServer();
      const payload = 'p'.repeat(256 * 1024);
      const settled: boolean[] = [];
      const sends: Promise<void>[] = [];
      // Send until a send stays pending: the transport must stop accepting while the reader is stalled.
      let pendingSeen = false;
      for (let i = 0; i < 2_000 && !pendingSeen; i++) {
        const idx = sends.length;
        settled.push(false);
        sends.push(
          client
            .send({ jsonrpc: '2.0', method: 'fill', params: { i, payload } })
            .then(() => void (settled[idx] = true)),
        );
        await new Promise((r) => setTimeout(r, 2));
        if (i > 8) {
          await new Promise((r) => setTimeout(r, 50));
          pendingSeen = settled.some((s) => !s);
        }
      }
      expect(pendingSeen).toBe(true);
      const sent = sends.length;
      // While stalled, the pending send stays pending.
      await new Promise((r) => setTimeout(r, 200));
      expect(settled.every(Boolean)).toBe(false);
      resume();
      await within(Promise.all(sends), timeout, 'sends after resume');
      await atServer.waitFor(sent, timeout);
      expect(atServer.messages.map((m) => (m.params as { i: number }).i)).toEqual(
        Array.from({ length: sent }, (_, i) => i),
      );
    });
  });
}
