/**
 * A gateway whose server is a worker pool: `servers: { pool: { url: 'redis://…?stream=NAME' } }` next
 * to a stdio server, a real Redis, `switchboard worker` processes in front of server-everything and
 * real SDK clients on the gateway's HTTP and TCP frontends. The pool's tools appear under their
 * namespaced names, calls (with progress and a sampling round trip back to the client) cross the pool,
 * and when the worker holding the gateway's connection is killed with SIGKILL, a worker that joined
 * later adopts it without a restart of the gateway: the next calls are served.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect } from '../../src/endpoint/registry.js';
import { taggedClient, textOf, type TaggedClient } from '../gateway/clients.js';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { EVERYTHING, startServe, type Started } from './processes.js';
import { startWorker, type CliProcess } from './scale-out-processes.js';

let redis: RedisFixture;
let dir: string;
let gateway: Started & { urls: string[] };
const workers: (CliProcess & { worker: string })[] = [];
const clients: TaggedClient[] = [];
/** Fast failure detection: heartbeats every 200 ms, a worker is dead after 3 s of silence. */
let queue: string;

beforeAll(async () => {
  redis = await startRedis();
  queue = `${redis.url}?stream=gw-pool&heartbeat=200&deadAfter=3000&reclaimIdle=200`;
  workers.push(await startWorker(queue));
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-gw-pool-'));
  const configFile = path.join(dir, 'gateway.yaml');
  writeFileSync(
    configFile,
    stringify({
      servers: {
        pool: { url: queue },
        local: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
      },
      listen: ['http://127.0.0.1:0/mcp', 'tcp://127.0.0.1:0'],
    }),
  );
  gateway = await startServe(['--config', configFile]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.client.close()));
  await Promise.allSettled([gateway?.stop(), ...workers.map((w) => w.stop())]);
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function clientOn(scheme: 'http' | 'tcp', tag: string): Promise<TaggedClient> {
  const url = gateway.urls.find((u) => u.startsWith(`${scheme}:`));
  if (url === undefined) throw new Error(`no ${scheme} frontend in ${gateway.urls.join(', ')}`);
  const c = await taggedClient(connect(url), tag);
  clients.push(c);
  return c;
}

describe('gateway with a worker pool as a server', () => {
  it('lists the pool’s tools under its name and calls them with progress and sampling, over HTTP and TCP', async () => {
    for (const scheme of ['http', 'tcp'] as const) {
      const c = await clientOn(scheme, `gw-${scheme}`);
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['pool__echo', 'pool__get-sum', 'local__echo']));

      const echoed = await c.client.callTool({ name: 'pool__echo', arguments: { message: `via ${scheme}` } });
      expect(textOf(echoed)).toBe(`Echo: via ${scheme}`);

      const progress: number[] = [];
      await c.client.callTool(
        { name: 'pool__trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
        undefined,
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(progress).toEqual([1, 2, 3]);

      const sampled = await c.client.callTool({
        name: 'pool__trigger-sampling-request',
        arguments: { prompt: `question from ${scheme}`, maxTokens: 5 },
      });
      expect(c.sampled.some((q) => q.includes(`question from ${scheme}`))).toBe(true);
      expect(JSON.stringify(sampled)).toContain(`answer-gw-${scheme}`);
    }
  }, 120_000);

  it('keeps serving after its worker is killed: a worker started later takes the gateway’s connection over', async () => {
    // The gateway's connection for this session lands on the only worker; the second joins afterwards.
    const c = await clientOn('http', 'gw-kill');
    expect(textOf(await c.client.callTool({ name: 'pool__echo', arguments: { message: 'before' } }))).toBe(
      'Echo: before',
    );
    workers.push(await startWorker(queue));
    const victim = workers.shift()!;
    await victim.kill();
    // Every later call is answered by the survivor (the dead worker's connections are adopted once it is
    // declared dead); none may be lost.
    for (let i = 0; i < 5; i++) {
      const r = await c.client.callTool({ name: 'pool__echo', arguments: { message: `after ${i}` } });
      expect(textOf(r)).toBe(`Echo: after ${i}`);
    }
    expect(textOf(await c.client.callTool({ name: 'local__echo', arguments: { message: 'local' } }))).toBe(
      'Echo: local',
    );
  }, 120_000);
});
