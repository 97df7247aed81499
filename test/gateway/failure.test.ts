/**
 * A server that goes down takes only its own tools with it: withdrawn with `list_changed`, calls to
 * them answered with an error naming it, the other servers unaffected; when it is back, so are they.
 * (In process; test/e2e/gateway-failure.test.ts does the same with real child processes.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import { SwitchboardError } from '../../src/errors.js';
import { Gateway, type GatewayEvent } from '../../src/gateway/index.js';
import type { SessionMode } from '../../src/proxy/proxy.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { MetaKey, MODERN_PROTOCOL_VERSION } from '../../src/protocol/versions.js';
import type { Transport } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { eventually, taggedClient, textOf, type TaggedClient } from './clients.js';
import { createProbeServer, newProbeLog, probeConnect } from './probe-server.js';

/** A probe server that can be killed (every connection closes, new ones fail) and revived. */
function killable(name: string) {
  const log = newProbeLog();
  const live: InMemoryTransport[] = [];
  const state = { down: false };
  const connect = (): Transport => {
    if (state.down) {
      return {
        start: () => Promise.reject(new SwitchboardError('CONNECTION_FAILED', `${name} is down`)),
        send: () => Promise.resolve(),
        close: () => Promise.resolve(),
      };
    }
    const [ours, theirs] = InMemoryTransport.createLinkedPair();
    live.push(theirs);
    void createProbeServer(name, log).connect(theirs);
    return ours;
  };
  return {
    connect,
    kill: async () => {
      state.down = true;
      await Promise.all(live.splice(0).map((t) => t.close()));
    },
    revive: () => {
      state.down = false;
    },
  };
}

const gateways: Gateway[] = [];
const clients: TaggedClient[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.client.close()));
  await Promise.allSettled(gateways.splice(0).map((g) => g.close({ graceMs: 0 })));
});

describe.each(['per-session', 'shared'] as const)(
  'a server going down and coming back (%s)',
  (mode: SessionMode) => {
    it('withdraws its tools with list_changed, names it in errors, leaves the others alone, and returns', async () => {
      const flaky = killable('c');
      const events: GatewayEvent[] = [];
      const gateway = new Gateway({
        servers: [
          { name: 'a', connect: probeConnect('a', newProbeLog()), sessionMode: mode },
          {
            name: 'c',
            connect: flaky.connect,
            sessionMode: mode,
            restart: { maxFastFailures: 2, initialDelayMs: 5, maxDelayMs: 20 },
          },
        ],
        probeIntervalMs: 200,
        onEvent: (e) => events.push(e),
      });
      gateways.push(gateway);
      await gateway.start();
      const c = await taggedClient(gateway.connect(), 'one');
      clients.push(c);
      // A 2026-07-28 client learns about list changes on a subscriptions/listen stream.
      const modern = gateway.connect();
      const heard: JSONRPCMessage[] = [];
      modern.onmessage = (m) => heard.push(m);
      await modern.start();
      const meta = { [MetaKey.protocolVersion]: MODERN_PROTOCOL_VERSION, [MetaKey.clientCapabilities]: {} };
      await modern.send({
        jsonrpc: '2.0',
        id: 'listen-1',
        method: 'subscriptions/listen',
        params: { notifications: { toolsListChanged: true }, _meta: meta },
      });
      await eventually(() => heard.some((m) => m.method === 'notifications/subscriptions/acknowledged'));
      expect(heard[0]?.params).toEqual({
        notifications: { toolsListChanged: true },
        _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' },
      });
      expect(textOf(await c.client.callTool({ name: 'c__echo', arguments: { text: '1' } }))).toBe('c:1');

      await flaky.kill();
      await eventually(() => c.toolsChanged >= 1, 15_000, 'tools/list_changed after the server went down');
      await eventually(() => heard.some((m) => m.method === 'notifications/tools/list_changed'));
      expect(heard.find((m) => m.method === 'notifications/tools/list_changed')?.params).toEqual({
        _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' },
      });
      await modern.close();
      expect(gateway.status()).toMatchObject({
        ready: true,
        servers: [
          { server: 'a', status: 'up' },
          { server: 'c', status: 'down' },
        ],
      });
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      expect(names.some((n) => n.startsWith('c__'))).toBe(false);
      expect(names).toContain('a__echo');
      const error = await c.client.callTool({ name: 'c__echo', arguments: { text: '2' } }).then(
        () => undefined,
        (e: unknown) => e as McpError,
      );
      expect(error?.message).toMatch(/Server "c" is unavailable/);
      expect(error?.data).toMatchObject({ code: 'BACKEND_UNAVAILABLE', server: 'c' });
      expect(textOf(await c.client.callTool({ name: 'a__echo', arguments: { text: '3' } }))).toBe('a:3');
      expect(events.some((e) => e.type === 'server-down' && e.server === 'c')).toBe(true);

      const before = c.toolsChanged;
      flaky.revive();
      await eventually(
        () => c.toolsChanged > before,
        15_000,
        'tools/list_changed after the server came back',
      );
      expect((await c.client.listTools()).tools.map((t) => t.name)).toContain('c__echo');
      expect(textOf(await c.client.callTool({ name: 'c__echo', arguments: { text: '4' } }))).toBe('c:4');
      expect(gateway.status().servers.every((s) => s.status === 'up')).toBe(true);
    });
  },
);
