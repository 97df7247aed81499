/**
 * The shared backend's routing rules and bounds, driven message by message: the backend side is a
 * scripted peer on an in-memory link, the sessions are the backend's ports.
 */
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { SharedBackend, type SharedBackendOptions } from '../../src/proxy/shared-backend.js';
import type { SharedPort } from '../../src/proxy/shared-port.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { eventually } from './harness.js';

interface Rig {
  shared: SharedBackend;
  /** What the backend received. */
  atBackend: JSONRPCMessage[];
  /** Sends a message as the backend. */
  fromBackend: (m: JSONRPCMessage) => Promise<void>;
  dropped: string[];
  open: () => Promise<{ port: SharedPort; got: JSONRPCMessage[] }>;
}

async function rig(options: SharedBackendOptions = {}): Promise<Rig> {
  const [ours, theirs] = InMemoryTransport.createLinkedPair();
  const atBackend: JSONRPCMessage[] = [];
  theirs.onmessage = (m) => atBackend.push(m);
  await theirs.start();
  const dropped: string[] = [];
  const shared = new SharedBackend(ours, {
    ...options,
    onDropped: (d) => dropped.push(`${d.kind} ${d.method} ${d.reason}`),
  });
  return {
    shared,
    atBackend,
    dropped,
    fromBackend: (m) => theirs.send(m),
    open: async () => {
      const port = shared.openPort();
      const got: JSONRPCMessage[] = [];
      port.onmessage = (m) => got.push(m);
      await port.start();
      return { port, got };
    },
  };
}

const call = (id: number, name = 'work'): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});
const elicit = (id: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'elicitation/create',
  params: { message: 'name?', requestedSchema: { type: 'object', properties: {} } },
});
const log = (data: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data },
});

describe('shared backend: who a backend message belongs to', () => {
  it('a server request goes to the only session with a call in flight; with two, it is refused back', async () => {
    const r = await rig();
    const a = await r.open();
    const b = await r.open();
    await a.port.send(call(1));
    await r.fromBackend(elicit('e1'));
    await eventually(() => a.got.some((m) => m.method === 'elicitation/create'));
    await b.port.send(call(1));
    await r.fromBackend(elicit('e2'));
    await eventually(() => r.atBackend.some((m) => m.id === 'e2'));
    const refused = r.atBackend.find((m) => m.id === 'e2') as { error?: { message: string } };
    expect(refused.error?.message).toMatch(/several client sessions share this backend/);
    expect(b.got.some((m) => m.method === 'elicitation/create')).toBe(false);
    expect(a.got.filter((m) => m.method === 'elicitation/create')).toHaveLength(1);
    expect(r.dropped).toEqual(['request elicitation/create ambiguous']);
    expect(r.shared.droppedCount).toBe(1);
  });

  it('a call its client cancelled may still call back: its session stays a candidate, the other never gets it', async () => {
    const r = await rig({ abandonedCallTtlMs: 60_000 });
    const a = await r.open();
    const b = await r.open();
    await a.port.send(call(1));
    await a.port.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    await b.port.send(call(7));
    // The server goes on with a's cancelled call and logs / asks for it: b must not see either.
    await r.fromBackend(log('for a'));
    await r.fromBackend(elicit('e1'));
    await eventually(() => r.atBackend.some((m) => m.id === 'e1'));
    expect(b.got).toEqual([]);
    expect(r.dropped).toEqual([
      'notification notifications/message ambiguous',
      'request elicitation/create ambiguous',
    ]);
    // Once the server answers the abandoned call, b is the only candidate again.
    await r.fromBackend({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    await r.fromBackend(log('for b'));
    await eventually(() => b.got.some((m) => m.method === 'notifications/message'));
    expect(a.got.some((m) => m.method === 'notifications/message')).toBe(false);
  });

  it('list_changed goes to everyone; a log with nobody calling only when one session is connected', async () => {
    const r = await rig();
    const a = await r.open();
    await r.fromBackend(log('lonely'));
    await eventually(() => a.got.length === 1);
    const b = await r.open();
    await r.fromBackend(log('whose?'));
    await r.fromBackend({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await eventually(() => b.got.length === 1);
    expect(a.got.map((m) => m.method)).toEqual(['notifications/message', 'notifications/tools/list_changed']);
    expect(b.got.map((m) => m.method)).toEqual(['notifications/tools/list_changed']);
  });

  it('task status and elicitation completion go to the session that owns the task / elicitation', async () => {
    const r = await rig();
    const a = await r.open();
    const b = await r.open();
    const lastBackendId = (): number => r.atBackend.at(-1)?.id as number;
    await a.port.send({ ...call(1), params: { name: 'long', arguments: {}, task: { ttl: 1000 } } });
    await r.fromBackend({
      jsonrpc: '2.0',
      id: lastBackendId(),
      result: { task: { taskId: 't-a', status: 'working' } },
    });
    await b.port.send(call(2));
    const bCall = lastBackendId();
    await a.port.send(call(3));
    // Two sessions are calling, but the task id names its owner.
    const status = {
      jsonrpc: '2.0' as const,
      method: 'notifications/tasks/status',
      params: { taskId: 't-a', status: 'completed' },
    };
    await r.fromBackend(status);
    await eventually(() => a.got.some((m) => m.method === 'notifications/tasks/status'));
    // Only a is calling now: its URL elicitation goes to a, and its completion too once b calls again.
    await r.fromBackend({ jsonrpc: '2.0', id: bCall, result: { content: [] } });
    await r.fromBackend({
      ...elicit('u1'),
      params: { mode: 'url', url: 'https://x.test/', elicitationId: 'el-1', message: 'go' },
    });
    await eventually(() => a.got.some((m) => m.method === 'elicitation/create'));
    await b.port.send(call(5));
    await r.fromBackend({
      jsonrpc: '2.0',
      method: 'notifications/elicitation/complete',
      params: { elicitationId: 'el-1' },
    });
    await eventually(() => a.got.some((m) => m.method === 'notifications/elicitation/complete'));
    expect(b.got.filter((m) => m.method !== undefined)).toEqual([]);
    // b cannot read a's task.
    await b.port.send({ jsonrpc: '2.0', id: 9, method: 'tasks/result', params: { taskId: 't-a' } });
    expect(b.got.find((m) => m.id === 9)).toMatchObject({ error: { data: { code: 'FORBIDDEN' } } });
    expect(r.atBackend.some((m) => m.method === 'tasks/result')).toBe(false);
  });
});

describe('shared backend: every table is bounded and emptied', () => {
  it('server requests beyond the per-session bound are refused back; a closing session empties its entries', async () => {
    const r = await rig({ maxServerRequestsPerSession: 3 });
    const a = await r.open();
    await a.port.send(call(1));
    for (let i = 0; i < 5; i++) await r.fromBackend(elicit(`e${i}`));
    await eventually(() => r.atBackend.filter((m) => 'error' in m).length === 2);
    expect(a.got.filter((m) => m.method === 'elicitation/create')).toHaveLength(3);
    expect(r.shared.tableSizes.serverRequests).toBe(3);
    await a.port.close();
    expect(r.shared.tableSizes).toMatchObject({
      serverRequests: 0,
      serverRequestIds: 0,
      outbound: 0,
      tokens: 0,
    });
  });

  it('subscriptions are capped per session, recorded only when the backend confirms, and dropped on close', async () => {
    const r = await rig({ maxSubscriptionsPerSession: 2 });
    const a = await r.open();
    const subscribe = (id: number, uri: string): Promise<void> =>
      a.port.send({ jsonrpc: '2.0', id, method: 'resources/subscribe', params: { uri } });
    for (const [i, uri] of ['file:///1', 'file:///2'].entries()) {
      await subscribe(i + 1, uri);
      await r.fromBackend({ jsonrpc: '2.0', id: r.atBackend.at(-1)?.id as number, result: {} });
    }
    await eventually(() => r.shared.tableSizes.subscriptions === 2);
    await subscribe(3, 'file:///3');
    expect(a.got.find((m) => m.id === 3)).toMatchObject({ error: { data: { code: 'RATE_LIMITED' } } });
    // A subscribe the backend refuses is not recorded.
    await a.port.send({
      jsonrpc: '2.0',
      id: 4,
      method: 'resources/unsubscribe',
      params: { uri: 'file:///2' },
    });
    await subscribe(5, 'file:///nope');
    await r.fromBackend({
      jsonrpc: '2.0',
      id: r.atBackend.at(-1)?.id as number,
      error: { code: -32602, message: 'no' },
    });
    await eventually(() => a.got.some((m) => m.id === 5));
    expect(r.shared.tableSizes).toMatchObject({ subscriptions: 1, subscribedUris: 1 });
    await a.port.close();
    expect(r.shared.tableSizes).toMatchObject({ subscriptions: 0, subscribedUris: 0 });
  });
});
