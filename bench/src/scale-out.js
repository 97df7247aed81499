// The scale-out benchmark (docs/scale-out.md), one run, same machine:
//  1. throughput of a CPU-bound tool (~2 ms of work per call) through a Redis worker pool of 1, then 2
//     workers (target: 2 workers >= 1.6x);
//  2. added p50 latency of the Redis path: the same client and `switchboard serve` HTTP frontend with
//     a stdio backend directly, and with a 1-worker pool on Redis as its backend.
// Needs redis-server (Debian's package) and `npm run build` at the root.
//   npm run bench:scale-out [-- --seconds 5 --connections 32 --depth 2]
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Children, childPids, cpuMicros, freePort } from './lib/child-processes.js';
import { queueConnection, startRedis, startWorker } from './lib/redis-pool.js';
import { REPO_ROOT } from './subjects/paths.js';
import { measuredCommit } from './sys/machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '../../dist/cli.js');
const SERVER = path.join(here, 'servers/cpu-bound-stdio.js');
/** @param {string} name @param {number} fallback */
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const ROUNDS = arg('rounds', 5);
const CONNECTIONS = arg('connections', 32);
const DEPTH = arg('depth', 2);
const LATENCY_CALLS = arg('latency-calls', 2000);
// Untimed load on each pool before its windows: a worker handles a few hundred calls a second, and its
// relay costs about three times as much CPU per call until V8 has optimised it (several thousand calls).
const WARMUP_SECONDS = arg('warmup', 12);

const children = new Children();

/** @type {{ jsonrpc: '2.0', method: string, params: Record<string, unknown> }} */
const init = {
  jsonrpc: '2.0',
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
};

/**
 * Keeps `depth` CPU-bound calls in flight on each of `CONNECTIONS` connections to the pool at `uri`,
 * only while `gate.open` (so two pools can be measured alternately, seconds apart).
 */
/** @param {string} uri @param {{ redis: number | undefined, workers: number[] }} pids */
async function loadPool(uri, pids) {
  const conns = await Promise.all(Array.from({ length: CONNECTIONS }, () => queueConnection(uri)));
  /** @type {{ jsonrpc: '2.0', method: string, params: Record<string, unknown> }} */
  const spin = { jsonrpc: '2.0', method: 'tools/call', params: { name: 'spin', arguments: {} } };
  const state = { done: 0, open: false, stop: false };
  /** @type {() => void} */
  let wake = () => undefined;
  const loops = conns.flatMap((c) =>
    Array.from({ length: DEPTH }, async () => {
      while (!state.stop) {
        if (!state.open) {
          await new Promise((r) => {
            const prev = wake;
            wake = () => {
              prev();
              r(undefined);
            };
          });
          continue;
        }
        await c.call(spin);
        state.done++;
      }
    }),
  );
  return {
    /** @param {number} ms */
    async window(ms) {
      state.open = true;
      const w = wake;
      wake = () => undefined;
      w();
      await new Promise((r) => setTimeout(r, 300)); // ramp-up
      const from = state.done;
      const cpu0 = cpuNow(pids);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      const calls = state.done - from;
      const rate = (calls * 1000) / (performance.now() - t0);
      const cpu1 = cpuNow(pids);
      state.open = false;
      await new Promise((r) => setTimeout(r, 300)); // drain what is in flight
      /** @type {Record<string, number>} µs of CPU per call */
      const cpuPerCall = {};
      for (const key of /** @type {(keyof typeof cpu0)[]} */ (Object.keys(cpu0))) {
        cpuPerCall[key] = calls > 0 ? (cpu1[key] - cpu0[key]) / calls : 0;
      }
      return { rate, cpuPerCall };
    },
    async close() {
      state.stop = true;
      const w = wake;
      wake = () => undefined;
      w();
      await Promise.all(loops);
      await Promise.all(conns.map((c) => c.close()));
    },
  };
}

/** @param {number[]} values */
const stats = (values) => {
  const v = [...values].sort((a, b) => a - b);
  return { median: v[Math.floor(v.length / 2)], min: v[0], max: v[v.length - 1] };
};

/**
 * CPU used so far by the load generator (this process), Redis, the workers and their backend children.
 * @param {{ redis: number | undefined, workers: number[] }} pids
 */
function cpuNow(pids) {
  const gen = process.cpuUsage();
  const sum = (/** @type {number[]} */ list) => list.reduce((total, pid) => total + cpuMicros(pid), 0);
  return {
    gen: gen.user + gen.system,
    redis: cpuMicros(pids.redis),
    workers: sum(pids.workers),
    backends: sum(pids.workers.flatMap(childPids)),
  };
}

/** @param {string} queue @param {number} n @returns {Promise<number[]>} the workers' pids */
async function startWorkers(queue, n) {
  /** @type {number[]} */
  const pids = [];
  for (let i = 0; i < n; i++) {
    const child = await startWorker(children, { cli: CLI, queue, server: SERVER });
    if (child.pid !== undefined) pids.push(child.pid);
  }
  return pids;
}

/** @param {{ uri: string[], command: string[] }} backendArgs */
async function serveHttp(backendArgs) {
  const port = await freePort();
  await children.start(
    process.execPath,
    [
      CLI,
      'serve',
      ...backendArgs.uri,
      '--listen',
      `http://127.0.0.1:${port}/mcp`,
      '--log-format',
      'json',
      ...backendArgs.command,
    ],
    /"msg":"serving"/,
  );
  return `http://127.0.0.1:${port}/mcp`;
}

/** An MCP session on an HTTP frontend; `call()` times one sequential echo call (ms). */
/** @param {string} url */
async function httpSession(url) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ ...init, id: 0 }) });
  const session = r.headers.get('mcp-session-id') ?? '';
  await r.text();
  const h = { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
  await (
    await fetch(url, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    })
  ).text();
  let id = 0;
  return async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: ++id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    });
    const t0 = process.hrtime.bigint();
    await (await fetch(url, { method: 'POST', headers: h, body })).text();
    return Number(process.hrtime.bigint() - t0) || 1;
  };
}

/** C=1 latency of two subjects, measured in alternating chunks of 100 calls; p50/p99 in ms. */
/** @param {string} urlA @param {string} urlB */
async function latencyPair(urlA, urlB) {
  const a = await httpSession(urlA);
  const b = await httpSession(urlB);
  for (let i = 0; i < 200; i++) (await a(), await b()); // warm-up
  const ha = createHistogram();
  const hb = createHistogram();
  for (let chunk = 0; chunk < LATENCY_CALLS / 100; chunk++) {
    for (let i = 0; i < 100; i++) ha.record(await a());
    for (let i = 0; i < 100; i++) hb.record(await b());
  }
  /** @param {import('node:perf_hooks').RecordableHistogram} h @param {number} p */
  const ms = (h, p) => h.percentile(p) / 1e6;
  return [
    { p50: ms(ha, 50), p99: ms(ha, 99) },
    { p50: ms(hb, 50), p99: ms(hb, 99) },
  ];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-redis-'));
try {
  const { child: redisChild, url: redis } = await startRedis(children, dir);

  // Both pools run side by side (idle workers only block on Redis); their windows alternate.
  const workersOne = await startWorkers(`${redis}?stream=one`, 1);
  const workersTwo = await startWorkers(`${redis}?stream=two`, 2);
  const poolOne = await loadPool(`${redis}?stream=one`, { redis: redisChild.pid, workers: workersOne });
  const poolTwo = await loadPool(`${redis}?stream=two`, { redis: redisChild.pid, workers: workersTwo });
  /** @type {{ rate: number, cpuPerCall: Record<string, number> }[]} */
  const ones = [];
  /** @type {typeof ones} */
  const twos = [];
  const loads = [];
  for (const pool of [poolOne, poolTwo]) await pool.window(WARMUP_SECONDS * 1000);
  for (let round = 0; round < ROUNDS; round++) {
    ones.push(await poolOne.window((SECONDS * 1000) / ROUNDS));
    twos.push(await poolTwo.window((SECONDS * 1000) / ROUNDS));
    loads.push(os.loadavg()[0]);
  }
  await poolOne.close();
  await poolTwo.close();
  const one = stats(ones.map((w) => w.rate));
  const two = stats(twos.map((w) => w.rate));
  /** Median CPU µs per call of each process kind over a pool's windows. @param {typeof ones} windows */
  const cpuOf = (windows) =>
    Object.fromEntries(
      Object.keys(windows[0]?.cpuPerCall ?? {}).map((key) => [
        key,
        Math.round(stats(windows.map((w) => w.cpuPerCall[key] ?? 0)).median),
      ]),
    );
  const cpuOne = cpuOf(ones);
  const cpuTwo = cpuOf(twos);

  await startWorkers(`${redis}?stream=lat`, 1);
  const [direct, viaRedis] = await latencyPair(
    await serveHttp({ uri: [], command: ['--', process.execPath, SERVER] }),
    await serveHttp({ uri: [`${redis}?stream=lat`], command: [] }),
  );
  await children.stopAll();

  const ratio = two.median / one.median;
  const result = {
    date: new Date().toISOString(),
    commit: measuredCommit(REPO_ROOT),
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    settings: {
      seconds: SECONDS,
      rounds: ROUNDS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      depth: DEPTH,
      latencyCalls: LATENCY_CALLS,
      spinMs: Number(process.env.SPIN_MS ?? 2),
    },
    loadDuringWindows: { min: Math.min(...loads), max: Math.max(...loads) },
    cpuBoundTool: { oneWorker: one, twoWorkers: two, ratio, target: 1.6, met: ratio >= 1.6 },
    cpuMicrosPerCall: { oneWorker: cpuOne, twoWorkers: cpuTwo },
    latencyC1: { direct, viaRedis, addedP50Ms: viaRedis.p50 - direct.p50 },
  };
  /** @param {number} n */
  const f = (n) => n.toFixed(0);
  /** @param {number} n */
  const ms = (n) => n.toFixed(2);
  const md = [
    `## Scale-out on Redis (${result.date}, commit ${result.commit})`,
    '',
    `Machine: ${result.machine}; 1-minute load during the windows ${result.loadDuringWindows.min.toFixed(1)}–${result.loadDuringWindows.max.toFixed(1)} (2 cores: the 2-worker pool needs both, so any other work on the machine lowers the ratio). Throughput: ${CONNECTIONS} connections x ${DEPTH} calls in flight, ${ROUNDS} alternating windows of ${f((SECONDS * 1000) / ROUNDS)} ms per pool after ${WARMUP_SECONDS} s of untimed load on each (median [min-max]); the tool burns ${result.settings.spinMs} ms of CPU time per call. Latency: C=1, ${LATENCY_CALLS} calls each, alternating chunks of 100.`,
    '',
    '| case | calls/s |',
    '| --- | --- |',
    `| CPU-bound tool (2 ms), 1 worker | ${f(one.median)} [${f(one.min)}-${f(one.max)}] |`,
    `| CPU-bound tool (2 ms), 2 workers | ${f(two.median)} [${f(two.min)}-${f(two.max)}] |`,
    `| ratio 2/1 (target >= 1.6) | ${ratio.toFixed(2)} ${ratio >= 1.6 ? 'met' : 'missed'} |`,
    '',
    '| CPU µs per call (median window) | load generator (Redis client transport) | redis-server | worker(s) | backend child(ren) |',
    '| --- | --- | --- | --- | --- |',
    `| 1 worker | ${cpuOne.gen} | ${cpuOne.redis} | ${cpuOne.workers} | ${cpuOne.backends} |`,
    `| 2 workers | ${cpuTwo.gen} | ${cpuTwo.redis} | ${cpuTwo.workers} | ${cpuTwo.backends} |`,
    '',
    '| C=1 echo through `serve` (HTTP frontend) | p50 ms | p99 ms |',
    '| --- | --- | --- |',
    `| stdio backend directly | ${ms(direct.p50)} | ${ms(direct.p99)} |`,
    `| Redis pool (1 worker) as backend | ${ms(viaRedis.p50)} | ${ms(viaRedis.p99)} |`,
    `| added by the Redis path | ${ms(result.latencyC1.addedP50Ms)} | |`,
    '',
  ].join('\n');
  process.stdout.write(`${md}\n`);
  mkdirSync(path.join(here, '../results'), { recursive: true });
  writeFileSync(path.join(here, '../results/scale-out.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(here, '../results/scale-out.md'), `${md}\n`);
} finally {
  await children.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
