/**
 * Chaos on a real Redis: 3 gateway instances (`serve --state`) behind a round-robin HTTP front, a pool
 * of 2 workers in front of server-everything, many SDK sessions calling tools (with progress) for a
 * while; one gateway and one worker are killed with SIGKILL during the run.
 *
 * Asserted: every request gets its result, or — only for a tool not annotated idempotent/read-only
 * whose worker died — an explicit WORKER_LOST error; no response reaches the wrong call (each result
 * names its own arguments); nothing stays silent. Counts are printed.
 *
 * CHAOS_SESSIONS and CHAOS_SECONDS size the run: 30 sessions for 20 s by default (what `npm test`
 * runs, reliably, on a busy 2-core machine); the full size of the scale-out acceptance run is
 * `CHAOS_SESSIONS=200 CHAOS_SECONDS=60` (see docs/scale-out.md). Calls that time out are printed with
 * their session, HTTP exchanges (Last-Event-ID included) and the session's state in Redis.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer } from '../../examples/scale-out/round-robin.mjs';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { startCli, startWorker, type CliProcess } from './scale-out-processes.js';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 30);
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 20);

let redis: RedisFixture;
let dir: string;
const started: CliProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-chaos-'));
}, 30_000);
afterAll(async () => {
  await Promise.allSettled(started.splice(0).map((p) => p.stop()));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(name: string, queue: string): Promise<CliProcess & { url: string }> {
  const config = path.join(dir, `${name}.yaml`);
  writeFileSync(
    config,
    `state:\n  url: "${redis.url}?prefix=chaos:"\n  instance: ${name}\n  heartbeat: 250ms\n  deadAfter: 1500ms\n`,
  );
  const p = await startCli(
    [
      'serve',
      queue,
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--config',
      config,
      '--response-mode',
      'sse',
      '--max-sessions',
      '2000',
    ],
    /"msg":"serving"/,
    `gateway ${name}`,
  );
  started.push(p);
  return Object.assign(p, { url: p.logged('listening', 'url') ?? '' });
}

interface Counts {
  sent: number;
  answered: number;
  errored: number;
  workerLost: number;
  /** Timed out after starting before the gateway kill: their POST died before its first SSE event (see docs). */
  lostAtGatewayDeath: number;
  crossed: number;
  otherErrors: string[];
}

/** Client-side deadline of one call: long enough for takeovers, short enough to bound the test. */
const CALL_TIMEOUT_MS = 45_000;

/** A fetch that notes each HTTP exchange of one client (method, Last-Event-ID, outcome). */
function tracedFetch(note: (line: string) => void): typeof fetch {
  return async (url, init) => {
    const lastEventId = new Headers(init?.headers).get('last-event-id') ?? '-';
    const body = typeof init?.body === 'string' ? init.body.slice(0, 90) : '';
    const what = `${init?.method ?? 'GET'} last-event-id=${lastEventId} ${body}`;
    note(`start ${what}`);
    try {
      const r = await fetch(url, init);
      note(`${what} -> ${r.status}`);
      return r;
    } catch (error) {
      note(`${what} -> ${(error as Error).message}`);
      throw error;
    }
  };
}

/** Prints what is known about calls that timed out: their client's HTTP trace, their session in Redis. */
async function explainLost(
  lost: { i: number; line: string; since: number }[],
  traces: string[][],
  gateways: CliProcess[],
): Promise<void> {
  const rc = createClient({ url: redis.url });
  await rc.connect();
  try {
    for (const { i, line, since } of lost) {
      const sid = line.split('(')[1]?.split(')')[0] ?? '';
      const sess = await rc.hGetAll(`chaos:sess:${sid}`);
      const pending = await rc.hGetAll(`chaos:sess:${sid}:pending`);
      const streams = await rc.sMembers(`chaos:ev:${sid}`);
      const queueState: string[] = [];
      for (const key of await rc.keys(`*conn:session-${sid}`)) {
        queueState.push(`${key}=${JSON.stringify(await rc.hGetAll(key))}`);
      }
      for (const key of await rc.keys(`*out:session-${sid}`)) {
        queueState.push(
          `${key} len=${await rc.xLen(key)} pending=${JSON.stringify(await rc.sendCommand(['XPENDING', key, 'switchboard']).catch((e: Error) => e.message))}`,
        );
      }
      for (const key of await rc.keys('*:in:*')) {
        const summary = await rc.sendCommand(['XPENDING', key, 'switchboard']).catch((e: Error) => e.message);
        queueState.push(`${key} len=${await rc.xLen(key)} pending=${JSON.stringify(summary)}`);
      }
      process.stderr.write(`  queue: ${queueState.join(' | ')}\n`);
      const trace = (traces[i] ?? []).filter((l) => Number(l.split(' ')[0]) >= since - 100);
      const logs = gateways.flatMap((g) => g.stderr.filter((l) => l.includes(sid)).slice(0, 3));
      process.stderr.write(
        `timed out: ${line}\n  redis: owner=${sess.owner} pending=${JSON.stringify(pending)} streams=${streams.join(',')}\n` +
          [...trace, ...logs].map((l) => `  ${l.slice(0, 300)}\n`).join(''),
      );
    }
  } finally {
    await rc.quit();
  }
}

const text = (r: unknown): string => (r as { content?: { text?: string }[] }).content?.[0]?.text ?? '';

describe('chaos: gateways and workers killed under load', () => {
  it(
    `${SESSIONS} sessions for ${SECONDS} s; SIGKILL of one gateway and one worker`,
    async () => {
      const queue = `${redis.url}?stream=chaos&heartbeat=250&deadAfter=1500&reclaimIdle=250`;
      const workers = [await startWorker(queue), await startWorker(queue)];
      started.push(...workers);
      const gateways = [
        await gateway('gw-1', queue),
        await gateway('gw-2', queue),
        await gateway('gw-3', queue),
      ];
      const front = await startBalancer(gateways.map((g) => new URL(g.url).origin));
      const endpoint = `${front.url}/mcp`;

      const counts: Counts = {
        sent: 0,
        answered: 0,
        errored: 0,
        workerLost: 0,
        lostAtGatewayDeath: 0,
        crossed: 0,
        otherErrors: [],
      };
      const clients: Client[] = [];
      const t0 = Date.now();
      const traces: string[][] = [];
      const lost: { i: number; line: string; since: number }[] = [];
      const transports: StreamableHTTPClientTransport[] = [];
      const connectOne = async (i: number): Promise<Client> => {
        const c = new Client({ name: `chaos-${i}`, version: '1.0.0' });
        const trace: string[] = (traces[i] = []);
        const note = (line: string): void => {
          trace.push(`${Date.now() - t0} ${line}`);
          if (trace.length > 200) trace.shift();
        };
        c.onerror = (e) => note(`onerror ${e.message.slice(0, 120)}`);
        const tr = new StreamableHTTPClientTransport(new URL(endpoint), {
          fetch: tracedFetch(note),
          reconnectionOptions: {
            initialReconnectionDelay: 200,
            maxReconnectionDelay: 2_000,
            reconnectionDelayGrowFactor: 1.5,
            maxRetries: 30,
          },
        });
        transports[i] = tr;
        await c.connect(tr);
        return c;
      };
      // Sessions open 20 at a time (the handshake is outside the timed run).
      for (let i = 0; i < SESSIONS; i += 20) {
        const batch = Array.from({ length: Math.min(20, SESSIONS - i) }, (_, k) => connectOne(i + k));
        clients.push(...(await Promise.all(batch)));
      }
      // The pool learns the tools' annotations (read-only/idempotent → safe to re-run).
      await clients[0]?.listTools();

      const deadline = Date.now() + SECONDS * 1000;
      let killedGateway = '';
      let killedWorker = '';
      let gatewayKilledAt = Infinity;
      const chaos = (async () => {
        await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
        killedGateway = 'gw-1';
        gatewayKilledAt = Date.now();
        await gateways[0]?.kill();
        await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 6));
        killedWorker = workers[0]?.worker ?? '';
        await workers[0]?.kill();
      })();

      const loop = async (client: Client, i: number): Promise<void> => {
        for (let n = 0; Date.now() < deadline; n++) {
          const kind = n % 10 === 9 ? 'unsafe' : n % 2 === 0 ? 'long' : 'echo';
          const steps = 2 + ((i + n) % 3);
          const message = `s${i}-n${n}`;
          const call =
            kind === 'long'
              ? { name: 'trigger-long-running-operation', arguments: { duration: 1, steps } }
              : kind === 'echo'
                ? { name: 'echo', arguments: { message } }
                : { name: 'toggle-simulated-logging', arguments: {} };
          counts.sent++;
          const startedAt = Date.now();
          try {
            const progress: number[] = [];
            const result = await client.callTool(call, undefined, {
              timeout: CALL_TIMEOUT_MS,
              ...(kind === 'long'
                ? { onprogress: (p: { progress: number }) => progress.push(p.progress) }
                : {}),
            });
            const t = text(result);
            const expected =
              kind === 'long'
                ? `Long running operation completed. Duration: 1 seconds, Steps: ${steps}.`
                : kind === 'echo'
                  ? `Echo: ${message}`
                  : undefined;
            if (expected !== undefined && t !== expected) counts.crossed++;
            else counts.answered++;
          } catch (error) {
            counts.errored++;
            const m = (error as Error).message;
            if (/WORKER_LOST|died while handling/.test(m) && kind === 'unsafe') counts.workerLost++;
            else if (/timed out/i.test(m) && startedAt <= gatewayKilledAt) {
              counts.lostAtGatewayDeath++;
              const line = `session ${i} (${transports[i]?.sessionId}) ${kind} ${message}: started ${startedAt - t0} ms, gateway killed ${gatewayKilledAt - t0} ms`;
              lost.push({ i, line, since: startedAt - t0 });
            } else
              counts.otherErrors.push(
                `${kind} (session ${i}, started ${startedAt - t0} ms, gateway killed ${gatewayKilledAt - t0} ms): ${m}`,
              );
          }
        }
      };
      await Promise.all(clients.map((c, i) => loop(c, i)));
      await chaos;
      await Promise.allSettled(clients.map((c) => c.close()));
      await front.close();
      // Sessions of the killed gateway taken over by the survivors (their /metrics).
      let adopted = 0;
      for (const g of gateways.slice(1)) {
        const metrics = await (await fetch(new URL('/metrics', g.url))).text();
        const line = /^switchboard_adopted_sessions_total (\d+)/m.exec(metrics);
        if (line === null) process.stderr.write(`no adoption metric at ${g.url}: ${metrics.slice(0, 200)}\n`);
        adopted += Number(line?.[1] ?? 0);
      }

      process.stderr.write(
        `chaos: ${SESSIONS} sessions, ${SECONDS} s, killed gateway ${killedGateway} and worker ${killedWorker}: ` +
          `sent=${counts.sent} answered=${counts.answered} errored=${counts.errored} ` +
          `(worker-lost=${counts.workerLost}, lost-at-gateway-death=${counts.lostAtGatewayDeath}, ` +
          `other=${counts.otherErrors.length}) crossed=${counts.crossed} ` +
          `sessions-taken-over=${adopted}\n`,
      );
      if (lost.length > 0) await explainLost(lost.slice(0, 10), traces, gateways);
      if (counts.otherErrors.length > 0) {
        process.stderr.write(`balancer errors (last 20): ${front.errors.slice(-20).join(', ')}\n`);
      }
      for (const e of counts.otherErrors.slice(0, 10)) process.stderr.write(`  other error: ${e}\n`);
      expect(killedGateway).not.toBe('');
      expect(killedWorker).not.toBe('');
      expect(counts.sent).toBeGreaterThan(SESSIONS);
      expect(counts.crossed).toBe(0);
      expect(adopted).toBeGreaterThan(0);
      expect(counts.otherErrors).toEqual([]);
      // Calls in flight at the killed gateway resume elsewhere (Last-Event-ID) and get their answer.
      expect(counts.lostAtGatewayDeath).toBe(0);
      // Every call ended (the loops returned): answered or an explicit error.
      expect(counts.answered + counts.errored + counts.crossed).toBe(counts.sent);
    },
    (SECONDS + 300 + SESSIONS) * 1000,
  );
});
