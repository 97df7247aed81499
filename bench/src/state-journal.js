// What shared state (`serve --state redis://…`) costs per POST, and what its journal-before-headers
// order adds: C=1 latency (alternating chunks of 100 calls) and C=16 throughput (alternating windows) of
// `serve` subjects on the same machine, in one run, plus the Redis commands each issues per call.
//   node src/state-journal.js [--calls 3000] [--mode sse|json] [--backend stdio|pool] [--base <cli.js>]
// Subjects: this build without state, this build with state, and with --base a second build (e.g. the
// commit before a change) with state. Needs redis-server and `npm run build` at the root.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Children, freePort } from './lib/child-processes.js';
import { startRedis, startWorker } from './lib/redis-pool.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '../../dist/cli.js');
const SERVER = path.join(here, 'servers/cpu-bound-stdio.js');
/** @param {string} name @param {string} fallback */
const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const CALLS = Number(opt('calls', '3000'));
const MODE = opt('mode', 'sse');
const BACKEND = opt('backend', 'stdio');
const BASE = opt('base', '');
const WINDOWS = Number(opt('windows', '5'));
const WINDOW_MS = Number(opt('window-ms', '2000'));
const PROTOCOL = '2025-11-25';

const children = new Children();

/** One raw RESP command on a fresh connection (INFO, CONFIG): enough for a few calls per run. */
/** @param {number} port @param {string[]} args @returns {Promise<string>} */
function redisCommand(port, args) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let buf = '';
    socket.on('data', (c) => {
      buf += c.toString();
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (m && buf.length >= m[0].length + Number(m[1]) + 2) {
        socket.end();
        resolve(buf.slice(m[0].length, m[0].length + Number(m[1])));
      } else if (/^[+-].*\r\n/.test(buf)) {
        socket.end();
        resolve(buf.trim());
      }
    });
    socket.on('error', reject);
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** Total calls of each Redis command so far. @param {number} port */
async function commandCounts(port) {
  const info = await redisCommand(port, ['INFO', 'commandstats']);
  /** @type {Record<string, number>} */
  const out = {};
  for (const m of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) out[m[1] ?? ''] = Number(m[2]);
  return out;
}

/** @param {{ cli: string, state: string | undefined, backend: string[] }} s */
async function serve(s) {
  const port = await freePort();
  // A stdio command (after `--`) goes last.
  const dash = s.backend.indexOf('--');
  const uri = dash === -1 ? s.backend : s.backend.slice(0, dash);
  const command = dash === -1 ? [] : s.backend.slice(dash);
  const args = [s.cli, 'serve', ...uri, '--listen', `http://127.0.0.1:${port}/mcp`];
  args.push('--response-mode', MODE, '--log-format', 'json', '--log-level', 'info');
  if (s.state !== undefined) args.push('--state', s.state);
  args.push(...command);
  await children.start(process.execPath, args, /"msg":"serving"/);
  return `http://127.0.0.1:${port}/mcp`;
}

/** An MCP session; `call()` times one echo call, reading the whole answer (ns). @param {string} url */
async function session(url) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  };
  const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(init) });
  const sid = r.headers.get('mcp-session-id') ?? '';
  await r.text();
  const h = { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': PROTOCOL };
  const note = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await (await fetch(url, { method: 'POST', headers: h, body: note })).text();
  let id = 0;
  return async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: ++id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    });
    const t0 = process.hrtime.bigint();
    const text = await (await fetch(url, { method: 'POST', headers: h, body })).text();
    if (!text.includes('"result"')) throw new Error(`no result: ${text.slice(0, 200)}`);
    return Number(process.hrtime.bigint() - t0) || 1;
  };
}

/** C=1 latency of each subject, in alternating chunks of 100 calls; p50/p99 in ms. */
/** @param {string[]} urls */
async function latency(urls) {
  const calls = await Promise.all(urls.map((u) => session(u)));
  for (let i = 0; i < 300; i++) for (const c of calls) await c(); // warm-up
  const hs = calls.map(() => createHistogram());
  for (let chunk = 0; chunk < CALLS / 100; chunk++) {
    for (let k = 0; k < calls.length; k++) {
      const c = /** @type {() => Promise<number>} */ (calls[k]);
      const h = /** @type {import('node:perf_hooks').RecordableHistogram} */ (hs[k]);
      for (let i = 0; i < 100; i++) h.record(await c());
    }
  }
  return hs.map((h) => ({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6 }));
}

/** C=16 calls/s of each subject, alternating windows; median [min-max]. */
/** @param {string[]} urls */
async function throughput(urls) {
  const sessions = await Promise.all(
    urls.map((u) => Promise.all(Array.from({ length: 16 }, () => session(u)))),
  );
  /** @type {number[][]} */
  const rates = urls.map(() => []);
  for (let w = 0; w < WINDOWS; w++) {
    for (let k = 0; k < urls.length; k++) {
      let done = 0;
      const until = Date.now() + WINDOW_MS;
      const t0 = Date.now();
      await Promise.all(
        (sessions[k] ?? []).map(async (c) => {
          while (Date.now() < until) {
            await c();
            done++;
          }
        }),
      );
      rates[k]?.push((done * 1000) / (Date.now() - t0));
    }
  }
  return rates.map((r) => {
    const s = [...r].sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)] ?? 0, min: s[0] ?? 0, max: s.at(-1) ?? 0 };
  });
}

/** Redis commands per call of one subject (its calls alone). @param {string} url @param {number} port */
async function commandsPerCall(url, port) {
  const c = await session(url);
  for (let i = 0; i < 50; i++) await c();
  const before = await commandCounts(port);
  const n = 500;
  for (let i = 0; i < n; i++) await c();
  // Fire-and-forget writes of the last calls may still be in flight.
  await new Promise((r) => setTimeout(r, 300));
  const after = await commandCounts(port);
  /** @type {Record<string, number>} */
  const per = {};
  for (const [k, v] of Object.entries(after)) {
    const d = (v - (before[k] ?? 0)) / n;
    if (d >= 0.05 && k !== 'info') per[k] = Math.round(d * 100) / 100;
  }
  return per;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-state-'));
try {
  const { port, url: redis } = await startRedis(children, dir);
  if (BACKEND === 'pool')
    await startWorker(children, { cli: CLI, queue: `${redis}?stream=sj`, server: SERVER });
  const backend = BACKEND === 'pool' ? [`${redis}?stream=sj`] : ['--', process.execPath, SERVER];
  /** @type {{ label: string, cli: string, state: string | undefined }[]} */
  const subjects = [
    { label: 'this build, no --state', cli: CLI, state: undefined },
    { label: 'this build, --state', cli: CLI, state: `${redis}?prefix=new:` },
  ];
  if (BASE !== '')
    subjects.push({ label: `base build (${BASE}), --state`, cli: BASE, state: `${redis}?prefix=base:` });
  /** @type {string[]} */
  const urls = [];
  for (const s of subjects) urls.push(await serve({ cli: s.cli, state: s.state, backend }));
  /** @type {Record<string, number>[]} */
  const perCall = [];
  for (const u of urls) perCall.push(await commandsPerCall(u, port));
  const loads = [os.loadavg()[0]];
  const lat = await latency(urls);
  loads.push(os.loadavg()[0]);
  const tput = await throughput(urls);
  loads.push(os.loadavg()[0]);
  /** @param {number} n */
  const ms = (n) => n.toFixed(3);
  const lines = [
    `## Shared state per POST (${new Date().toISOString()})`,
    '',
    `${os.cpus().length} cores; 1-minute load ${loads.map((l) => l?.toFixed(1)).join(' / ')} (before / after latency / after throughput). Backend: ${BACKEND === 'pool' ? 'a 1-worker Redis pool' : 'a raw stdio echo child per session'}; response mode ${MODE}; protocol ${PROTOCOL}. Latency: C=1, ${CALLS} calls each in alternating chunks of 100. Throughput: 16 sessions, 1 call in flight each, ${WINDOWS} alternating windows of ${WINDOW_MS} ms.`,
    '',
    '| subject | p50 ms | p99 ms | calls/s at C=16 (median [min-max]) | Redis commands per call |',
    '| --- | --- | --- | --- | --- |',
    ...subjects.map((s, k) => {
      const l = lat[k] ?? { p50: 0, p99: 0 };
      const t = tput[k] ?? { median: 0, min: 0, max: 0 };
      const c = Object.entries(perCall[k] ?? {})
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
      return `| ${s.label} | ${ms(l.p50)} | ${ms(l.p99)} | ${t.median.toFixed(0)} [${t.min.toFixed(0)}-${t.max.toFixed(0)}] | ${c || '—'} |`;
    }),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await children.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
