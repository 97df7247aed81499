/**
 * Session resources: backends start at a session's first message, silent and idle sessions are closed,
 * and per-address / per-principal caps keep one client from taking every session from the others.
 * Real children (raw-backend.mjs) behind the real Proxy; clients are SDK v1 clients.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionInfo } from '../../src/listener.js';
import type { Proxy } from '../../src/proxy/proxy.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { eventually, rawBackendProxy, textOf } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

/** A session that never says anything (a silent TCP connection, a `GET /sse` without POSTs). */
function silentSession(proxy: Proxy, info: ConnectionInfo = {}): InMemoryTransport {
  const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
  proxy.accept(proxySide, info);
  cleanup.push(() => clientSide.close());
  return clientSide;
}

async function clientFrom(proxy: Proxy, info: ConnectionInfo): Promise<Client> {
  const client = new Client({ name: 'limits', version: '1.0.0' });
  const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
  proxy.accept(proxySide, info);
  cleanup.push(() => client.close());
  await client.connect(clientSide);
  return client;
}

describe('lazy backends and reclamation', () => {
  it('a session that never speaks spawns nothing and is closed after the first-message timeout', async () => {
    const { proxy, children } = rawBackendProxy({ firstMessageTimeoutMs: 300 });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    const silent = Array.from({ length: 20 }, () => silentSession(proxy, { remoteAddress: '127.0.0.1' }));
    expect(proxy.sessionCount).toBe(20);
    const closed = silent.map((t) => new Promise<void>((resolve) => (t.onclose = resolve)));
    await Promise.all(closed);
    await eventually(() => proxy.sessionCount === 0);
    expect(children).toHaveLength(0);
    // The first message of a session starts its backend.
    const client = await clientFrom(proxy, {});
    expect(children).toHaveLength(1);
    expect(proxy.activeSessionCount).toBe(1);
    expect(JSON.parse(textOf(await client.callTool({ name: 'echo', arguments: { a: 1 } })))).toEqual({
      a: 1,
    });
  });

  it("idle sessions are closed and their children stopped; a stdio frontend's session is exempt", async () => {
    const { proxy, children } = rawBackendProxy({ idleTimeoutMs: 500 });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
    proxy.acceptWith({ idleTimeoutMs: 0, firstMessageTimeoutMs: 0 })(proxySide);
    const exempt = new Client({ name: 'stdio-like', version: '1.0.0' });
    cleanup.push(() => exempt.close());
    await exempt.connect(clientSide);
    const idle = await clientFrom(proxy, {});
    expect(children).toHaveLength(2);
    await eventually(() => children[1]?.closed === true, 20_000);
    await eventually(() => proxy.sessionCount === 1);
    await expect(idle.callTool({ name: 'echo', arguments: {} })).rejects.toThrow();
    expect(children[0]?.closed).toBe(false);
    expect(textOf(await exempt.callTool({ name: 'echo', arguments: { still: 1 } }))).toBe('{"still":1}');
  });

  it('a flood of silent sessions cannot keep a real client out: the oldest silent one makes room', async () => {
    const { proxy } = rawBackendProxy({ maxSessions: 3, firstMessageTimeoutMs: 60_000 });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    for (let i = 0; i < 50; i++) silentSession(proxy);
    const client = await clientFrom(proxy, {});
    expect(textOf(await client.callTool({ name: 'echo', arguments: { ok: true } }))).toBe('{"ok":true}');
    expect(proxy.sessionCount).toBeLessThanOrEqual(3 + 1);
  });
});

describe('per-client caps', () => {
  it('one address cannot exhaust --max-sessions: its sessions and backends are capped, others still get in', async () => {
    const { proxy, children } = rawBackendProxy({
      maxSessions: 6,
      clientLimits: { perAddress: { sessions: 4, backends: 2 } },
    });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    const hostile = { remoteAddress: '203.0.113.7' };
    await clientFrom(proxy, hostile);
    await clientFrom(proxy, hostile);
    // A third backend for the same address is refused at its first message.
    await expect(clientFrom(proxy, hostile)).rejects.toThrow(/too many backends from this address \(max 2\)/);
    // Silent sessions count as sessions: two more fit, the fifth session is refused.
    silentSession(proxy, hostile);
    silentSession(proxy, { remoteAddress: '::ffff:203.0.113.7' });
    await expect(clientFrom(proxy, hostile)).rejects.toThrow(/too many sessions from this address \(max 4\)/);
    // Another address is unaffected.
    const other = await clientFrom(proxy, { remoteAddress: '198.51.100.1' });
    expect(textOf(await other.callTool({ name: 'echo', arguments: { x: 1 } }))).toBe('{"x":1}');
    expect(children).toHaveLength(3);
  });

  it('an IPv6 client is counted by its /64; loopback is exempt unless asked', async () => {
    const { proxy } = rawBackendProxy({ clientLimits: { perAddress: { sessions: 1 } } });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    await clientFrom(proxy, { remoteAddress: '2001:db8:1:2::10' });
    await expect(clientFrom(proxy, { remoteAddress: '2001:db8:1:2:ffff::99' })).rejects.toThrow(
      /too many sessions from this address/,
    );
    await clientFrom(proxy, { remoteAddress: '2001:db8:1:3::10' });
    await clientFrom(proxy, { remoteAddress: '127.0.0.1' });
    await clientFrom(proxy, { remoteAddress: '::1' });
  });

  it('one principal cannot exhaust --max-sessions, from however many addresses', async () => {
    const { proxy } = rawBackendProxy({
      maxSessions: 5,
      clientLimits: { perPrincipal: { sessions: 10, backends: 2 } },
    });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    await clientFrom(proxy, { principal: 'sub:mallory', remoteAddress: '203.0.113.1' });
    await clientFrom(proxy, { principal: 'sub:mallory', remoteAddress: '203.0.113.2' });
    await expect(
      clientFrom(proxy, { principal: 'sub:mallory', remoteAddress: '203.0.113.3' }),
    ).rejects.toThrow(/too many backends for this principal \(max 2\)/);
    const alice = await clientFrom(proxy, { principal: 'sub:alice' });
    expect(textOf(await alice.callTool({ name: 'echo', arguments: {} }))).toBe('{}');
  });

  it('a closed session gives its place back', async () => {
    const { proxy } = rawBackendProxy({ clientLimits: { perAddress: { sessions: 1, backends: 1 } } });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    const first = await clientFrom(proxy, { remoteAddress: '203.0.113.9' });
    await first.close();
    await eventually(() => proxy.sessionCount === 0);
    const second = await clientFrom(proxy, { remoteAddress: '203.0.113.9' });
    expect(textOf(await second.callTool({ name: 'echo', arguments: {} }))).toBe('{}');
  });
});
