/**
 * Reply streams of the Redis queue: one per client process (shared by its connections), and a
 * connection re-attached by another process after its first process was killed gets what the dead
 * process left unread — in order, before anything newer — while the worker switches to the new
 * process's stream. The dead process is a real child (SIGKILL), using the built dist/.
 */
import { spawn } from 'node:child_process';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect } from '../../src/endpoint/registry.js';
import type { Listener } from '../../src/listener.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { projectFile } from '../fixtures/paths.js';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { eventually, serveEach } from '../transports/socket-pairs.js';

let redis: RedisFixture;
let admin: ReturnType<typeof createClient>;
const listeners: Listener[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = createClient({ url: redis.url });
  await admin.connect();
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(listeners.map((l) => l.close({ graceMs: 500 })));
  await admin.close().catch(() => undefined);
  await redis.stop();
});

const init = {
  jsonrpc: '2.0' as const,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
};

/** Keys matching `pattern` (SCAN, bounded). */
async function keysLike(pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of admin.scanIterator({ MATCH: pattern, COUNT: 1000 })) found.push(...batch);
  return found;
}

describe('Redis reply streams', () => {
  it('one stream per client process, shared by its connections, gone when the last one closes', async () => {
    const uri = `${redis.url}?stream=shared-replies`;
    const { listener } = await serveEach(uri, createDemoServer);
    listeners.push(listener);
    const transports = Array.from({ length: 5 }, () => connect(uri));
    const answers = new Map<number, JSONRPCMessage[]>();
    transports.forEach((t, i) => {
      t.onmessage = (m) => answers.set(i, [...(answers.get(i) ?? []), m]);
    });
    await Promise.all(transports.map((t) => t.start()));
    await Promise.all(transports.map((t) => t.send({ ...init, id: 1 })));
    await Promise.all(
      transports.map((t, i) =>
        t.send({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: `conn ${i}` } },
        }),
      ),
    );
    await eventually(
      () => transports.every((_, i) => (answers.get(i) ?? []).length === 2),
      20_000,
      'answers',
    );
    // Each connection got its own answer, and only its own.
    transports.forEach((_, i) => {
      expect(answers.get(i)?.[1]).toMatchObject({ id: 2, result: { content: [{ text: `conn ${i}` }] } });
    });
    expect(await keysLike('shared-replies:rx:*')).toHaveLength(1);
    expect(await keysLike('shared-replies:out:*')).toEqual([]);
    await Promise.all(transports.map((t) => t.close()));
    expect(await keysLike('shared-replies:rx:*')).toEqual([]);
  }, 60_000);

  it('a connection re-attached after its process was killed gets what that process left unread, in order', async () => {
    const uri = `${redis.url}?stream=reattach`;
    const conn = 'reattach-conn-1';
    const { listener } = await serveEach(uri, createDemoServer);
    listeners.push(listener);

    // Process A: opens the connection, starts a call with 8 progress steps, and is killed after the first.
    const script = `
      import { connect } from ${JSON.stringify(projectFile('dist/endpoint/index.js'))};
      const t = connect(process.env.URI, { redis: { connectionId: process.env.CONN } });
      t.onmessage = (m) => { if (m.method === 'notifications/progress') process.stdout.write('progress\\n'); };
      await t.start();
      await t.send(${JSON.stringify({ ...init, id: 1 })});
      await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await t.send({ jsonrpc: '2.0', id: 2, method: 'tools/call',
        params: { name: 'countdown', arguments: { steps: 8, delayMs: 150 }, _meta: { progressToken: 'p' } } });
    `;
    const a = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, URI: uri, CONN: conn },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => a.once('exit', () => resolve()));
    let out = '';
    a.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await eventually(() => out.includes('progress'), 30_000, 'the first progress notification at A');
    a.kill('SIGKILL');
    await exited;

    // The worker finishes the call meanwhile: its answer lands in A's reply stream, which nobody reads.
    const streamOfA = await admin.hGet(`reattach:conn:${conn}`, 'out');
    expect(streamOfA).toMatch(/^reattach:rx:/);
    const leftInA = async (): Promise<Record<string, string>[]> =>
      ((await admin.xRange(streamOfA as string, '-', '+')) ?? []).map((e) => e?.message ?? {});
    const answerStored = async (): Promise<boolean> =>
      (await leftInA()).some((fields) => fields.d?.includes('"id":2') === true);
    const deadline = Date.now() + 30_000;
    while (!(await answerStored())) {
      if (Date.now() > deadline) throw new Error('the answer never reached the dead process stream');
      await new Promise((r) => setTimeout(r, 50));
    }

    // Process B (this one) re-attaches to the same connection.
    const b = connect(uri, { redis: { connectionId: conn } });
    const got: JSONRPCMessage[] = [];
    b.onmessage = (m) => got.push(m);
    await b.start();
    await eventually(() => got.some((m) => 'id' in m && m.id === 2), 20_000, 'the left-over answer at B');
    const progress = got
      .filter((m) => 'method' in m && m.method === 'notifications/progress')
      .map((m) => (m as unknown as { params: { progress: number } }).params.progress);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    // The answer comes after every progress notification of its call.
    expect(got.findIndex((m) => 'id' in m && m.id === 2)).toBe(got.length - 1);
    expect(got.at(-1)).toMatchObject({
      id: 2,
      result: { content: [{ text: expect.stringMatching(/8/) as unknown }] },
    });
    // Handed over entries are deleted from A's stream.
    expect((await leftInA()).filter((fields) => fields.c === conn)).toEqual([]);

    // The worker now answers on B's stream.
    await b.send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'at B' } },
    });
    await eventually(() => got.some((m) => 'id' in m && m.id === 3), 20_000, 'an answer at B');
    expect(got.at(-1)).toMatchObject({ id: 3, result: { content: [{ text: 'at B' }] } });
    expect(await admin.hGet(`reattach:conn:${conn}`, 'out')).not.toBe(streamOfA);
    await b.close();
  }, 120_000);

  it('a worker writes replies only to reply streams of its queue, whatever an open record names', async () => {
    const uri = `${redis.url}?stream=guarded`;
    const { listener } = await serveEach(uri, createDemoServer);
    listeners.push(listener);
    await admin.xAdd('victim', '*', { keep: 'me' });
    let claimed = false;
    const poll = setInterval(() => {
      void admin.hGet('guarded:conn:evil', 'owner').then((owner) => (claimed ||= owner !== null));
    }, 20);
    await admin.xAdd('guarded', '*', { t: 'o', c: 'evil', r: 'victim' });
    await eventually(() => claimed, 20_000, 'the claim');
    // The same connection opened again with a stream of the queue: its bind arrives there, after the
    // worker answered the first open (its commands run in order).
    const ours = 'guarded:rx:test';
    await admin.xAdd(ours, '*', { t: 'x' });
    await admin.xAdd('guarded', '*', { t: 'o', c: 'evil', r: ours });
    const deadline = Date.now() + 20_000;
    while (!((await admin.xRange(ours, '-', '+')) ?? []).some((e) => e?.message?.t === 'b')) {
      if (Date.now() > deadline) throw new Error('no bind on the queue reply stream');
      await new Promise((r) => setTimeout(r, 20));
    }
    clearInterval(poll);
    expect(((await admin.xRange('victim', '-', '+')) ?? []).map((e) => e?.message)).toEqual([{ keep: 'me' }]);
  }, 60_000);

  it('a client that names no reply stream is answered on the stream of its connection', async () => {
    const uri = `${redis.url}?stream=legacy`;
    const { listener } = await serveEach(uri, createDemoServer);
    listeners.push(listener);
    // What a client of the previous layout does: its own stream with a group, an open without `r`.
    await admin.xGroupCreate('legacy:out:old-client', 'switchboard', '0', { MKSTREAM: true });
    await admin.xAdd('legacy', '*', { t: 'o', c: 'old-client' });
    await admin.xAdd('legacy', '*', {
      t: 'm',
      c: 'old-client',
      d: JSON.stringify({ ...init, id: 1 }),
    });
    const deadline = Date.now() + 20_000;
    const replies = async (): Promise<Record<string, string>[]> =>
      ((await admin.xRange('legacy:out:old-client', '-', '+')) ?? []).map((e) => e?.message ?? {});
    while (!(await replies()).some((r) => r.d?.includes('"id":1') === true)) {
      if (Date.now() > deadline) throw new Error('no answer on the per-connection stream');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await replies()).map((r) => r.t)).toEqual(['b', 'm']);
  }, 60_000);
});
