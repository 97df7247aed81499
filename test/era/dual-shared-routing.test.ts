/**
 * Shared mode, dual-era backend: 2026-07-28 clients share a backend connection of the era bridge's own.
 * That connection is routed by the options the operator gave the shared backend (how long an abandoned
 * call keeps its session a possible owner) and reports every message it could deliver to no session.
 * In process: the proxy with the era bridge, the SDK v2 dual-era fixture server as a child, SDK v2
 * clients pinned to 2026-07-28.
 */
import { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { EraBridge } from '../../src/era/era-bridge.js';
import { Proxy } from '../../src/proxy/proxy.js';
import type { SharedBackendOptions } from '../../src/proxy/shared-backend.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { fixture } from '../fixtures/paths.js';
import { eventually, textOf } from '../proxy/harness.js';

const LOG_LEVEL = { 'io.modelcontextprotocol/logLevel': 'debug' };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** `serve`'s wiring in shared mode: the proxy's and the bridge's shared backends get the same options. */
function sharedDualProxy(abandonedCallTtlMs: number): { proxy: Proxy; era: EraBridge; dropped: string[] } {
  const connect = (): StdioClientTransport =>
    new StdioClientTransport({
      command: process.execPath,
      args: [fixture('era-server.mjs'), '--era', 'dual'],
      stderr: 'pipe',
    });
  const dropped: string[] = [];
  const shared: SharedBackendOptions = {
    abandonedCallTtlMs,
    onDropped: (d) => dropped.push(`${d.kind} ${d.method} ${d.reason}`),
  };
  const era = new EraBridge({ connect, backendEra: 'auto', sessionMode: 'shared', shared });
  const proxy = new Proxy({
    connectBackend: era.wrapConnect(connect),
    sessionMode: 'shared',
    shared: { abandonedCallTtlMs },
    onDropped: shared.onDropped,
    wrapBackend: era.wrapSession,
  });
  stops.push(async () => {
    await proxy.close({ graceMs: 0 });
    await era.close();
  });
  return { proxy, era, dropped };
}

/** An SDK v2 client pinned to 2026-07-28 on its own proxy session, collecting its log messages. */
async function modernClient(proxy: Proxy): Promise<{ client: Client; logs: unknown[] }> {
  const client = new Client(
    { name: 'dual-shared', version: '1.0.0' },
    { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  const logs: unknown[] = [];
  client.setNotificationHandler('notifications/message', (n) => void logs.push(n.params.data));
  const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
  proxy.accept(proxySide);
  await client.connect(clientSide);
  stops.push(() => client.close());
  return { client, logs };
}

/** Starts `wait` on `client`, cancels it once the server reported progress, and waits until the server saw it. */
async function cancelledWait(client: Client, tag: string): Promise<void> {
  const controller = new AbortController();
  const outcome = await client
    .callTool(
      { name: 'wait', arguments: { tag } },
      { signal: controller.signal, onprogress: () => controller.abort('test cancels') },
    )
    .then(
      () => 'finished',
      () => 'cancelled',
    );
  expect(outcome).toBe('cancelled');
  const deadline = Date.now() + 20_000;
  while (textOf(await client.callTool({ name: 'cancelled', arguments: { tag } })) !== 'yes') {
    if (Date.now() > deadline) throw new Error('the server never saw the cancellation');
  }
}

describe('era bridge, shared mode, dual-era backend: the 2026-07-28 clients’ shared connection', () => {
  it('forgets an abandoned call after the configured time: a later log message reaches its one caller', async () => {
    const { proxy, era, dropped } = sharedDualProxy(1);
    const a = await modernClient(proxy);
    const b = await modernClient(proxy);
    // A's call was abandoned and A stays connected (as a session-less HTTP session does).
    await cancelledWait(a.client, 'a-wait');
    await new Promise((r) => setTimeout(r, 5)); // past the 1 ms the abandoned call is remembered

    const result = await b.client.callTool({
      name: 'log',
      arguments: { text: 'for-b' },
      _meta: LOG_LEVEL,
    });
    expect(textOf(result)).toBe('logged for-b');
    await eventually(() => b.logs.length > 0, 20_000);
    expect(b.logs).toEqual(['for-b']);
    expect(a.logs).toEqual([]);
    expect(dropped).toEqual([]);
    expect(era.droppedMessages).toBe(0);
  }, 60_000);

  it('keeps an abandoned call’s session a possible owner meanwhile: the log message is dropped and reported', async () => {
    const { proxy, era, dropped } = sharedDualProxy(60_000);
    const a = await modernClient(proxy);
    const b = await modernClient(proxy);
    await cancelledWait(a.client, 'a-wait');

    await b.client.callTool({ name: 'log', arguments: { text: 'for-b' }, _meta: LOG_LEVEL });
    await eventually(() => dropped.length > 0, 20_000);
    expect(dropped).toEqual(['notification notifications/message ambiguous']);
    expect(era.droppedMessages).toBe(1);
    // Never handed to a session that might not own it.
    expect(a.logs).toEqual([]);
    expect(b.logs).toEqual([]);
  }, 60_000);
});
