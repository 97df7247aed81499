import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect } from '../../src/endpoint/registry.js';
import type { ConnectOptions, ListenOptions } from '../../src/endpoint/scheme.js';
import type { Listener } from '../../src/listener.js';
import { testCerts } from '../fixtures/certs.js';
import { v1Client, v2Client, type AnyClient } from '../fixtures/sdk-clients.js';
import { createV2Server } from '../fixtures/sdk-v2-server.js';
import { serveEach, tmpSocketPath } from './socket-pairs.js';

interface Endpoint {
  uri: string;
  listen: ListenOptions;
  connect: ConnectOptions;
}

/** Every socket kind, as (listen URI, listen options, connect options). */
const endpoints: Record<string, () => Promise<Endpoint>> = {
  tcp: () => Promise.resolve({ uri: 'tcp://127.0.0.1:0', listen: {}, connect: {} }),
  'tcp length-prefixed': () =>
    Promise.resolve({
      uri: 'tcp://127.0.0.1:0',
      listen: { framing: 'length-prefixed' },
      connect: { framing: 'length-prefixed' },
    }),
  tls: async () => {
    const c = await testCerts();
    return { uri: 'tls://localhost:0', listen: { tls: c.server }, connect: { tls: { ca: c.ca } } };
  },
  mtls: async () => {
    const c = await testCerts();
    return {
      uri: 'tls://localhost:0',
      listen: { tls: { ...c.server, ca: c.ca, requestCert: true } },
      connect: { tls: { ca: c.ca, ...c.client } },
    };
  },
  unix: () => Promise.resolve({ uri: `unix://${tmpSocketPath()}`, listen: {}, connect: {} }),
  ws: () => Promise.resolve({ uri: 'ws://127.0.0.1:0/mcp', listen: {}, connect: {} }),
  'wss mtls': async () => {
    const c = await testCerts();
    return {
      uri: 'wss://localhost:0/mcp',
      listen: { tls: { ...c.server, ca: c.ca, requestCert: true } },
      connect: { tls: { ca: c.ca, ...c.client } },
    };
  },
};

const clients = { v1: v1Client, v2: v2Client } as const;
const servers = { v1: createDemoServer, v2: createV2Server } as const;

const text = (result: unknown): string =>
  ((result as { content: { type: string; text: string }[] }).content[0] ?? { text: '' }).text;

const openClients: AnyClient[] = [];
const listeners: Listener[] = [];
afterEach(async () => {
  await Promise.allSettled(openClients.splice(0).map((c) => c.close()));
  await Promise.allSettled(listeners.splice(0).map((l) => l.close({ graceMs: 500 })));
});

describe.each(Object.keys(endpoints))('SDK interop over %s', (name) => {
  it.each([
    ['v1', 'v1'],
    ['v2', 'v2'],
    ['v1', 'v2'],
    ['v2', 'v1'],
  ] as const)('SDK %s Client ↔ SDK %s Server: tool call with progress, sampling', async (ck, sk) => {
    const endpoint = await (endpoints[name] as () => Promise<Endpoint>)();
    const { listener, errors } = await serveEach(endpoint.uri, servers[sk], endpoint.listen);
    listeners.push(listener);
    const client = clients[ck]();
    openClients.push(client);
    await client.connect(connect(listener.url, endpoint.connect));

    expect(text(await client.callTool('echo', { message: 'héllo 🌍' }))).toBe('héllo 🌍');
    const progress: number[] = [];
    const done = await client.callTool('countdown', { steps: 3, delayMs: 5 }, (p) =>
      progress.push(p.progress),
    );
    expect(text(done)).toBe('counted down 3 steps');
    expect(progress).toEqual([1, 2, 3]);
    expect(text(await client.callTool('sample', { question: 'meaning of life?' }))).toBe('model said: 42');
    expect(listener.connectionCount).toBe(1);
    expect(errors).toEqual([]);
  });
});
