import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Proxy } from '../../src/proxy/proxy.js';
import { clientVia, eventually, rawBackendProxy, textOf } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function sessions(proxy: Proxy, n: number): Promise<Client[]> {
  cleanup.push(() => proxy.close({ graceMs: 0 }));
  const clients = await Promise.all(Array.from({ length: n }, (_, i) => clientVia(proxy, `answer-${i}`)));
  for (const c of clients) cleanup.push(() => c.close());
  return clients;
}

/** Each session calls echo with its own arguments and a tool with progress, all at once. */
async function noCrossTalk(clients: Client[]): Promise<void> {
  await Promise.all(
    clients.map(async (client, i) => {
      const progress: number[] = [];
      const [echo, slow] = await Promise.all([
        client.callTool({ name: 'echo', arguments: { session: i, nonce: `n-${i}` } }),
        client.callTool(
          { name: 'slow', arguments: { ms: 50 + (i % 5) * 20, steps: 3 + (i % 3) } },
          undefined,
          {
            onprogress: (p) => progress.push(p.progress),
          },
        ),
      ]);
      expect(JSON.parse(textOf(echo))).toEqual({ session: i, nonce: `n-${i}` });
      const steps = 3 + (i % 3);
      expect(textOf(slow)).toBe(`slow done ${steps}`);
      expect(progress).toEqual(Array.from({ length: steps }, (_, k) => k + 1));
    }),
  );
}

describe('50 concurrent sessions', () => {
  it('per-session mode: own child each; responses, progress and server→client requests never cross', async () => {
    const { proxy, children } = rawBackendProxy({ sessionMode: 'per-session' });
    const clients = await sessions(proxy, 50);
    expect(children).toHaveLength(50);
    await noCrossTalk(clients);
    // Every session asks its client at the same time; each gets its own client's answer.
    const answers = await Promise.all(
      clients.map((c) => c.callTool({ name: 'ask', arguments: { question: 'who?' } })),
    );
    expect(answers.map(textOf)).toEqual(clients.map((_, i) => `answer: answer-${i}`));
  }, 60_000);

  it('shared mode: one child; ids and progress tokens translated so nothing crosses', async () => {
    const { proxy, children, all } = rawBackendProxy({ sessionMode: 'shared' });
    const clients = await sessions(proxy, 50);
    expect(children).toHaveLength(1);
    // The backend was initialized once, by the first session.
    // (stderr arrives independently of stdout, hence eventually)
    await eventually(() => all().filter((l) => l === 'IN notifications/initialized').length === 1);
    expect(all().filter((l) => l.startsWith('IN initialize'))).toHaveLength(1);
    await noCrossTalk(clients);
    expect(all().filter((l) => l === 'IN notifications/initialized')).toHaveLength(1);
    // A server→client request goes to the session whose call is in flight.
    for (const i of [0, 17, 49]) {
      const client = clients[i] as Client;
      expect(textOf(await client.callTool({ name: 'ask', arguments: { question: 'who?' } }))).toBe(
        `answer: answer-${i}`,
      );
    }
  }, 60_000);
});

describe('shared mode notifications', () => {
  it('sends session-less notifications to every session and resources/updated only to subscribers', async () => {
    const { proxy } = rawBackendProxy({ sessionMode: 'shared' });
    const clients = await sessions(proxy, 3);
    const got = clients.map(() => [] as string[]);
    clients.forEach((c, i) => {
      c.fallbackNotificationHandler = (n) => {
        got[i]?.push(`${n.method} ${JSON.stringify(n.params ?? {})}`);
        return Promise.resolve();
      };
    });
    await clients[1]?.request({ method: 'resources/subscribe', params: { uri: 'file:///a' } }, z.object({}));
    await clients[0]?.callTool({
      name: 'notify',
      arguments: { method: 'notifications/tools/list_changed' },
    });
    await clients[0]?.callTool({
      name: 'notify',
      arguments: { method: 'notifications/resources/updated', params: { uri: 'file:///a' } },
    });
    await eventually(() => got.every((g) => g.some((l) => l.startsWith('notifications/tools/list_changed'))));
    await eventually(() => (got[1] ?? []).some((l) => l.startsWith('notifications/resources/updated')));
    await new Promise((r) => setTimeout(r, 100));
    expect(got[0]?.some((l) => l.startsWith('notifications/resources/updated'))).toBe(false);
    expect(got[2]?.some((l) => l.startsWith('notifications/resources/updated'))).toBe(false);
  });

  it("cancels a closed session's requests at the shared backend", async () => {
    const { proxy, all } = rawBackendProxy({ sessionMode: 'shared' });
    const [a, b] = await sessions(proxy, 2);
    void a?.callTool({ name: 'slow', arguments: { ms: 10_000, steps: 1 } }).catch(() => undefined);
    await eventually(() => proxy.inflightCount === 1);
    await a?.close();
    await eventually(() => all().some((l) => l.startsWith('CANCELLED')));
    // The other session is unaffected.
    expect(JSON.parse(textOf(await b?.callTool({ name: 'echo', arguments: { still: 'here' } })))).toEqual({
      still: 'here',
    });
  });
});
