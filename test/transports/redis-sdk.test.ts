import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@redis/client';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect } from '../../src/endpoint/registry.js';
import type { ConnectOptions, ListenOptions } from '../../src/endpoint/scheme.js';
import type { Listener } from '../../src/listener.js';
import { testCerts } from '../fixtures/certs.js';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { v1Client, v2Client, type AnyClient } from '../fixtures/sdk-clients.js';
import { createV2Server } from '../fixtures/sdk-v2-server.js';
import { serveEach } from './socket-pairs.js';

let plain: RedisFixture;
let secured: RedisFixture;
let ca = '';
let n = 0;

beforeAll(async () => {
  const certs = await testCerts();
  ca = certs.ca;
  plain = await startRedis();
  // ACL user + TLS: AUTH from the URI's credentials, TLS verified against the test CA.
  secured = await startRedis({
    user: { name: 'gateway', password: 'p@ss word' },
    password: 'default-secret',
    tls: { ...certs.server, ca: certs.ca },
  });
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([plain.stop(), secured.stop()]);
});

interface Endpoint {
  uri: string;
  listen: ListenOptions;
  connect: ConnectOptions;
}

const endpoints: Record<string, () => Endpoint> = {
  'redis://': () => ({ uri: `${plain.url}?stream=sdk:${++n}`, listen: {}, connect: {} }),
  'rediss:// with ACL user and key prefix': () => ({
    uri: `rediss://gateway:${encodeURIComponent('p@ss word')}@localhost:${secured.tlsPort}/3?stream=sdk:${++n}&prefix=tenant-a:`,
    listen: { redis: { tls: { ca } } },
    connect: { tls: { ca } },
  }),
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
    const endpoint = (endpoints[name] as () => Endpoint)();
    const { listener, errors } = await serveEach(endpoint.uri, servers[sk], endpoint.listen);
    listeners.push(listener);
    // The listener's URL is safe to log: no password.
    expect(listener.url).not.toContain('p@ss');
    expect(listener.url).not.toContain('p%40ss');
    const client = clients[ck]();
    openClients.push(client);
    await client.connect(connect(endpoint.uri, endpoint.connect));

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

describe('redis endpoint edges', () => {
  it('keeps every key under the prefix', async () => {
    const stream = `prefixed:${++n}`;
    const uri = `${plain.url}?stream=${stream}&prefix=app1:`;
    const { listener } = await serveEach(uri, createDemoServer);
    listeners.push(listener);
    const client = v1Client();
    openClients.push(client);
    await client.connect(connect(uri));
    await client.callTool('echo', { message: 'x' });
    const probe = createClient({ url: plain.url });
    await probe.connect();
    try {
      const keys = await probe.keys(`*${stream}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => k.startsWith(`app1:${stream}`))).toBe(true);
    } finally {
      await probe.close();
    }
  });

  it('refuses to connect when no worker serves the stream, naming the stream and the fix', async () => {
    const uri = `${plain.url}?stream=nobody:${++n}`;
    await expect(connect(uri).start()).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
      message: expect.stringMatching(/No worker serves .*nobody.*switchboard worker/) as unknown,
    });
  });

  it('fails fast with CONNECTION_FAILED when Redis is unreachable, without the password', async () => {
    const stopped = await startRedis();
    await stopped.stop();
    const t = connect(`redis://:hunter2@127.0.0.1:${stopped.port}/0?stream=x`);
    const error = await t.start().then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe('CONNECTION_FAILED');
    expect(error?.message).toContain(`127.0.0.1:${stopped.port}`);
    expect(error?.message).not.toContain('hunter2');
  });

  it.each([
    ['redis://127.0.0.1:6379/0', /"stream" is required/],
    ['redis://127.0.0.1:6379/0?stream=a&bogus=1', /unknown parameter "bogus"/],
    ['redis://127.0.0.1:6379/abc?stream=a', /database number/],
    ['redis://127.0.0.1:6379/0?stream=a b', /"stream" must be/],
    ['redis://:secret@127.0.0.1:6379/0?stream=a&maxlen=x', /"maxlen" must be/],
  ])('refuses %s', (uri, why) => {
    let error: unknown;
    try {
      connect(uri);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INVALID_URI', message: expect.stringMatching(why) as unknown });
    expect((error as Error).message).not.toContain('secret');
  });
});
