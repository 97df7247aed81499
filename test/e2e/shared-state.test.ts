/**
 * Gateway instances sharing sessions through Redis (`serve --state redis://…`) in front of a worker
 * pool: a session created on instance A is used via instance B — forwarded while A lives, taken over
 * once A was killed — and a client resuming with Last-Event-ID at B gets what it missed, including a
 * result the pool produced while A was already dead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { startStateGateway, startWorker, type CliProcess } from './scale-out-processes.js';
import { messages, post, PROTOCOL, read } from './sse-exchange.js';

let redis: RedisFixture;
let dir: string;
const started: CliProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-state-'));
}, 30_000);
afterAll(async () => {
  await Promise.allSettled(started.splice(0).map((p) => p.stop()));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startGateway(
  name: string,
  queue: string,
  prefix = 't1:',
): Promise<CliProcess & { url: string }> {
  const p = await startStateGateway({
    dir,
    name,
    stateUrl: `${redis.url}?prefix=${prefix}`,
    backend: [queue],
  });
  started.push(p);
  return p;
}

describe('serve --state redis: sessions shared by instances', () => {
  it('forwards to a live owner, takes over from a dead one, and resumes with Last-Event-ID', async () => {
    const queue = `${redis.url}?stream=state:1&heartbeat=200&deadAfter=1000`;
    started.push(await startWorker(queue));
    const a = await startGateway('gw-a', queue);
    const b = await startGateway('gw-b', queue);

    // The session is created on A.
    const init = await post(
      a.url,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 't', version: '1' } },
      },
      undefined,
      (e) => messages(e).some((m) => m.id === 1),
    );
    expect(init.status).toBe(200);
    const session = init.session as string;
    expect(session).toBeTruthy();
    await post(a.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);

    // Owner alive: B forwards to A.
    const viaB = await post(
      b.url,
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'via B' } },
      },
      session,
      (e) => messages(e).some((m) => m.id === 2),
    );
    expect(messages(viaB.events).find((m) => m.id === 2)).toMatchObject({
      result: { content: [{ text: 'Echo: via B' }] },
    });

    // A long call with progress on A; A is killed after the first progress event.
    const long = await post(
      a.url,
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: {
          name: 'trigger-long-running-operation',
          arguments: { duration: 3, steps: 6 },
          _meta: { progressToken: 'p3' },
        },
      },
      session,
      (e) => messages(e).some((m) => m.method === 'notifications/progress'),
    );
    const seen = long.events.filter((e) => e.id !== undefined);
    const lastId = seen.at(-1)?.id as string;
    expect(lastId).toMatch(/^\d+-\d+$/);
    await a.kill();
    // The worker keeps working meanwhile: the result is produced while A is dead.
    await new Promise((r) => setTimeout(r, 3_500));

    // Resume at B with Last-Event-ID: B takes the session over and replays what was missed.
    const resumed = await fetch(b.url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-protocol-version': PROTOCOL,
        'mcp-session-id': session,
        'last-event-id': lastId,
      },
    });
    expect(resumed.status).toBe(200);
    const rest = messages(await read(resumed, (e) => messages(e).some((m) => m.id === 3)));
    const result = rest.find((m) => m.id === 3);
    expect(result).toMatchObject({
      result: { content: [{ text: expect.stringMatching(/Long running operation completed/) as unknown }] },
    });
    expect(rest.filter((m) => m.method === 'notifications/progress').length).toBeGreaterThan(0);

    // The session keeps working at B (its owner now).
    const after = await post(
      b.url,
      {
        jsonrpc: '2.0',
        id: 4,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'at B' } },
      },
      session,
      (e) => messages(e).some((m) => m.id === 4),
    );
    expect(messages(after.events).find((m) => m.id === 4)).toMatchObject({
      result: { content: [{ text: 'Echo: at B' }] },
    });

    // Operations: B took one session over and says so; it is ready while Redis answers.
    const metrics = await (await fetch(new URL('/metrics', b.url))).text();
    expect(metrics).toMatch(/^switchboard_adopted_sessions_total 1$/m);
    expect((await fetch(new URL('/readyz', b.url))).status).toBe(200);
  }, 120_000);

  it('delivers an answer stored by the new owner before the client resumed from the priming event', async () => {
    const queue = `${redis.url}?stream=state:2&heartbeat=200&deadAfter=1000`;
    started.push(await startWorker(queue));
    const c = await startGateway('gw-c', queue, 't2:');
    const d = await startGateway('gw-d', queue, 't2:');
    const init = await post(
      c.url,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 't', version: '1' } },
      },
      undefined,
      (e) => messages(e).some((m) => m.id === 1),
    );
    const session = init.session as string;
    await post(c.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);

    // A call without progress: the client holds only the priming event's id when C dies.
    const call = await post(
      c.url,
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'trigger-long-running-operation', arguments: { duration: 2, steps: 1 } },
      },
      session,
      (e) => e.length >= 1,
    );
    const priming = call.events[0];
    expect(priming).toMatchObject({ data: '', id: expect.stringMatching(/^\d+-1$/) as unknown });
    // The priming event left C only once the call was journaled: it is there now, without waiting.
    const journal = createClient({ url: redis.url });
    await journal.connect();
    try {
      expect(Number(await journal.hExists(`t2:sess:${session}:pending`, '3'))).toBe(1);
    } finally {
      await journal.quit();
    }
    await c.kill();

    // Another request takes the session over at D; the answer then arrives there and is stored
    // while this stream has no connection.
    const ping = await post(d.url, { jsonrpc: '2.0', id: 4, method: 'ping' }, session, (e) =>
      messages(e).some((m) => m.id === 4),
    );
    expect(messages(ping.events).find((m) => m.id === 4)).toMatchObject({ result: {} });
    const rc = createClient({ url: redis.url });
    await rc.connect();
    try {
      const deadline = Date.now() + 60_000;
      const answered = async (): Promise<boolean> =>
        Number(await rc.hExists(`t2:sess:${session}:pending`, '3')) === 0;
      while (!(await answered()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await answered()).toBe(true);
    } finally {
      await rc.quit();
    }

    // The client resumes after the priming event: the answer must come (its id is above the priming id).
    const resumed = await fetch(d.url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-protocol-version': PROTOCOL,
        'mcp-session-id': session,
        'last-event-id': priming?.id as string,
      },
    });
    expect(resumed.status).toBe(200);
    const rest = await read(resumed, (e) => messages(e).some((m) => m.id === 3));
    expect(messages(rest).find((m) => m.id === 3)).toMatchObject({
      result: { content: [{ text: 'Long running operation completed. Duration: 2 seconds, Steps: 1.' }] },
    });
    const seqs = rest.map((e) => Number(e.id?.split('-')[1]));
    expect(Math.min(...seqs)).toBeGreaterThan(1);
  }, 120_000);
});
