/**
 * Chaos on a real Redis: 3 gateway instances (`serve --state`) behind a round-robin HTTP front, a pool
 * of 2 workers in front of server-everything, many SDK sessions calling tools (with progress) for a
 * while; one gateway and one worker are killed with SIGKILL during the run.
 *
 * Asserted: every request gets its result, or — only for a tool not annotated idempotent/read-only
 * whose worker died — an explicit WORKER_LOST error; no response reaches the wrong call (each result
 * names its own arguments); nothing stays silent. Counts are printed.
 *
 * CHAOS_SESSIONS and CHAOS_SECONDS size the run: 200 sessions for 60 s by default; under CI=true 30
 * sessions for 20 s (the suite's time budget on 2 cores). Known open problem: at 200 sessions on a
 * loaded 2-core machine, many calls in flight when the gateway is killed time out instead of being
 * resumed at another instance (measured: 120 of 879); see docs/scale-out.md.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer } from '../../examples/scale-out/round-robin.mjs';
import { startRedis, type RedisFixture } from '../fixtures/redis-server.js';
import { startCli, startWorker, type CliProcess } from './scale-out-processes.js';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? (process.env.CI ? 30 : 200));
const SECONDS = Number(process.env.CHAOS_SECONDS ?? (process.env.CI ? 20 : 60));

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
      const connectOne = async (i: number): Promise<Client> => {
        const c = new Client({ name: `chaos-${i}`, version: '1.0.0' });
        c.onerror = () => undefined;
        await c.connect(
          new StreamableHTTPClientTransport(new URL(endpoint), {
            reconnectionOptions: {
              initialReconnectionDelay: 200,
              maxReconnectionDelay: 2_000,
              reconnectionDelayGrowFactor: 1.5,
              maxRetries: 30,
            },
          }),
        );
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
            else if (/timed out/i.test(m) && startedAt <= gatewayKilledAt) counts.lostAtGatewayDeath++;
            else counts.otherErrors.push(`${kind}: ${m}`);
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
      for (const e of counts.otherErrors.slice(0, 10)) process.stderr.write(`  other error: ${e}\n`);
      expect(killedGateway).not.toBe('');
      expect(killedWorker).not.toBe('');
      expect(counts.sent).toBeGreaterThan(SESSIONS);
      expect(counts.crossed).toBe(0);
      expect(adopted).toBeGreaterThan(0);
      expect(counts.otherErrors).toEqual([]);
      // The one known gap (docs/scale-out.md): a POST in flight through the killed gateway before its
      // first SSE event cannot be resumed by the SDK. It must stay rare.
      expect(counts.lostAtGatewayDeath).toBeLessThanOrEqual(Math.max(2, counts.sent / 100));
      // Every call ended (the loops returned): answered or an explicit error.
      expect(counts.answered + counts.errored + counts.crossed).toBe(counts.sent);
    },
    (SECONDS + 300 + SESSIONS) * 1000,
  );
});
