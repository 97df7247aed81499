// Where the Redis worker pool's CPU goes per call: one pool of N workers under the scale-out benchmark's
// load shape (connections x depth calls of the 2 ms CPU-bound tool), for a few seconds; prints calls/s,
// CPU µs per call of each process, and the Redis commands per call (INFO commandstats before and after).
// With --prof DIR the workers run under `node --cpu-prof` (profiles written to DIR when they stop);
// run this script itself with `node --cpu-prof` to profile the load generator (the client transport).
//   node --no-warnings src/scale-out-profile.js [--workers 2] [--seconds 8] [--prof DIR]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Children, childPids, processUsage } from './lib/child-processes.js';
import { queueConnection, startRedis, startWorker } from './lib/redis-pool.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '../../dist/cli.js');
const SERVER = path.join(here, 'servers/cpu-bound-stdio.js');
const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '32' },
    depth: { type: 'string', default: '2' },
    prof: { type: 'string' },
  },
});
const WORKERS = Number(values.workers);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const DEPTH = Number(values.depth);

const children = new Children();

/** @param {number} port @returns {Map<string, { calls: number, usec: number }>} calls and time per command */
function commandStats(port) {
  const text = execFileSync('redis-cli', ['-p', String(port), 'INFO', 'commandstats'], { encoding: 'utf8' });
  const stats = new Map();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return stats;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-redis-prof-'));
try {
  const { child: redisChild, port, url } = await startRedis(children, dir);
  const uri = `${url}?stream=prof`;
  // WORKER_NODE_ARGS: extra node flags for the workers (e.g. V8 GC settings to compare).
  const extra = (process.env.WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const nodeArgs = values.prof
    ? ['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${values.prof}`]
    : [];
  /** @type {number[]} */
  const workers = [];
  for (let i = 0; i < WORKERS; i++) {
    const child = await startWorker(children, {
      cli: CLI,
      queue: uri,
      server: SERVER,
      nodeArgs: [...extra, ...nodeArgs],
    });
    if (child.pid !== undefined) workers.push(child.pid);
  }
  const conns = await Promise.all(Array.from({ length: CONNECTIONS }, () => queueConnection(uri)));
  const state = { done: 0, stop: false };
  const spin = {
    jsonrpc: /** @type {const} */ ('2.0'),
    method: 'tools/call',
    params: { name: 'spin', arguments: {} },
  };
  const loops = conns.flatMap((c) =>
    Array.from({ length: DEPTH }, async () => {
      while (!state.stop) {
        await c.call(spin);
        state.done++;
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 1000));
  /** @param {(number | undefined)[]} pids */
  const sum = (pids) =>
    pids.map(processUsage).reduce((a, b) => ({
      user: a.user + b.user,
      sys: a.sys + b.sys,
      waits: a.waits + b.waits,
      reads: a.reads + b.reads,
      writes: a.writes + b.writes,
    }));
  const snapshot = () => {
    const gen = process.cpuUsage();
    return {
      gen: { ...processUsage(process.pid), user: gen.user, sys: gen.system },
      redis: processUsage(redisChild.pid),
      workers: sum(workers),
      backends: sum(workers.flatMap(childPids)),
    };
  };
  const cpu0 = snapshot();
  const cmd0 = commandStats(port);
  const from = state.done;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const calls = state.done - from;
  const elapsed = performance.now() - t0;
  const cpu1 = snapshot();
  const cmd1 = commandStats(port);
  // Top-level commands as clients sent them (INFO commandstats also counts those a Lua script ran):
  // MONITOR for a short second phase (it slows Redis down, so not during the CPU window above).
  const monitor = spawn('redis-cli', ['-p', String(port), 'monitor'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  /** @type {Map<string, number>} */
  const sent = new Map();
  let monitorBuffer = '';
  let counting = false;
  monitor.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    monitorBuffer += chunk.toString();
    const lines = monitorBuffer.split('\n');
    monitorBuffer = lines.pop() ?? '';
    if (!counting) return;
    for (const line of lines) {
      const m = /^[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!m || m[1] === 'lua') continue;
      const name = (m[2] ?? '').toLowerCase();
      sent.set(name, (sent.get(name) ?? 0) + 1);
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  counting = true;
  const monitorFrom = state.done;
  await new Promise((r) => setTimeout(r, 2000));
  counting = false;
  const monitorCalls = state.done - monitorFrom;
  monitor.kill();
  state.stop = true;
  await Promise.all(loops);
  await Promise.all(conns.map((c) => c.close()));
  /** @param {keyof typeof cpu0} k */
  const per = (k) => {
    const d = (/** @type {'user' | 'sys' | 'waits' | 'reads' | 'writes'} */ f) =>
      (cpu1[k][f] - cpu0[k][f]) / calls;
    return `${(d('user') + d('sys')).toFixed(0)} (user ${d('user').toFixed(0)}, sys ${d('sys').toFixed(0)}, waits ${d('waits').toFixed(2)}, r/w calls ${d('reads').toFixed(2)}/${d('writes').toFixed(2)})`;
  };
  process.stdout.write(
    `${WORKERS} worker(s): ${((calls * 1000) / elapsed).toFixed(0)} calls/s, load ${os.loadavg()[0].toFixed(1)}\n` +
      `CPU µs per call (user, system; sleeps, read/write syscalls per call): generator ${per('gen')}, redis ${per('redis')}, workers ${per('workers')}, backends ${per('backends')}\n`,
  );
  let total = 0;
  let usec = 0;
  const rows = [];
  for (const [name, s1] of cmd1) {
    const s0 = cmd0.get(name) ?? { calls: 0, usec: 0 };
    const n = s1.calls - s0.calls;
    if (n <= 0 || name === 'info') continue;
    total += n;
    usec += s1.usec - s0.usec;
    rows.push(`  ${name}: ${(n / calls).toFixed(2)}/call, ${((s1.usec - s0.usec) / n).toFixed(1)} µs each`);
  }
  process.stdout.write(
    `Redis commands per call, Lua scripts' own counted (INFO commandstats): ${(total / calls).toFixed(2)} (${(usec / calls).toFixed(0)} µs of command time)\n${rows.join('\n')}\n`,
  );
  const top = [...sent].filter(([name]) => name !== 'monitor' && name !== 'info').sort((a, b) => b[1] - a[1]);
  const topTotal = top.reduce((n, [, c]) => n + c, 0);
  process.stdout.write(
    `Commands sent per call (MONITOR, ${monitorCalls} calls): ${(topTotal / monitorCalls).toFixed(2)}: ${top
      .map(([name, c]) => `${name} ${(c / monitorCalls).toFixed(2)}`)
      .join(', ')}\n`,
  );
} finally {
  // Workers under --cpu-prof write their profiles when they stop: they get 10 s before SIGKILL.
  await children.stopAll(10_000);

  rmSync(dir, { recursive: true, force: true });
}
