/**
 * A time-boxed random fuzz run against a real `switchboard serve` (dist/cli.js; run `npm run build`
 * first): the same hostile inputs and entry points as test/fuzz/serve-listeners.fuzz.test.ts, but with
 * random seeds, for as long as asked, sampling the resident memory of every serve process.
 *
 *   npx tsx scripts/fuzz-random.ts [--minutes 10] [--seed 1234] [--only tcp,stdio]
 *   npx tsx scripts/fuzz-random.ts --only http --case 4127395387   (replays one failed case by its seed)
 *
 * Prints a JSON summary: cases run per entry point, failures (a case whose probe was not answered),
 * crashes (a serve process that exited; it is restarted and the run goes on), and RSS at start, peak and
 * end. Exits 1 when anything crashed or failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { rawHttpRequest } from '../test/fuzz/http-garbage.js';
import { garbageFrame, garbageLines, garbageText } from '../test/fuzz/json-garbage.js';
import {
  BackendStdoutLink,
  hitHttp,
  hitRawHttp,
  hitSocket,
  hitWebSocket,
  httpExchange,
  LegacySseSession,
  startStdioServe,
  type StdioServe,
} from '../test/fuzz/serve-targets.js';

const root = path.resolve(import.meta.dirname, '..');
const CLI = path.join(root, 'dist/cli.js');
const SCRIPTED = path.join(root, 'test/fixtures/scripted-peer.mjs');

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    only: { type: 'string' },
    case: { type: 'string' },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const firstSeed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
let state = firstSeed >>> 0;
/** mulberry32: every case's seed derives from the run's seed, so a failure can be replayed. */
function nextSeed(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) % 2 ** 31;
}
/** The inputs drawn by the running case, printed when one case is replayed. */
const drawn: unknown[] = [];
const one = <T>(arb: fc.Arbitrary<T>): T => {
  const value = fc.sample(arb, { numRuns: 1, seed: nextSeed() })[0] as T;
  drawn.push(value);
  return value;
};

interface Serve {
  proc: ChildProcess;
  urls: string[];
  admin: string | undefined;
  tail: string[];
}

/** Spawns `serve …args`; resolves once it is serving, with its URLs. Keeps only the last log lines. */
function startServe(args: string[]): Promise<Serve> {
  const proc = spawn(process.execPath, [CLI, 'serve', ...args, '--log-format', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const serve: Serve = { proc, urls: [], admin: undefined, tail: [] };
  let buffered = '';
  return new Promise((resolve, reject) => {
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        serve.tail.push(line);
        if (serve.tail.length > 50) serve.tail.shift();
        if (line.includes('"msg":"listening"')) serve.urls.push((JSON.parse(line) as { url: string }).url);
        if (line.includes('admin endpoint')) serve.admin = (JSON.parse(line) as { url: string }).url;
        if (line.includes('"msg":"serving"')) resolve(serve);
      }
    });
    proc.once('exit', (code) => reject(new Error(`serve exited (${code}): ${serve.tail.join(' | ')}`)));
  });
}

function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const alive = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;

const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-fuzz-random-'));
const frontArgs = [
  ...[
    'tcp://127.0.0.1:0',
    `unix://${path.join(dir, 'front.sock')}`,
    'ws://127.0.0.1:0/mcp',
    'http://127.0.0.1:0/mcp',
  ].flatMap((u) => ['--listen', u]),
  '--admin-bind',
  '127.0.0.1:0',
  '--max-message-bytes',
  String(1024 * 1024),
  '--log-level',
  'info',
];
let main = await startServe(frontArgs);
let stdio: StdioServe = startStdioServe(CLI);
let scripted = await startServe(['--listen', 'tcp://127.0.0.1:0', '--', process.execPath, SCRIPTED]);
let link = await BackendStdoutLink.open({
  host: '127.0.0.1',
  port: Number(new URL(scripted.urls[0] as string).port),
});
let legacy = await LegacySseSession.open(new URL('/sse', main.urls[3]));

const pids = (): (number | undefined)[] => [main.proc.pid, stdio.proc.pid, scripted.proc.pid];
const totalRss = (): number => pids().reduce<number>((sum, pid) => sum + rssMb(pid), 0);
const rss = { startMb: totalRss(), peakMb: 0, endMb: 0, mainStartMb: rssMb(main.proc.pid), mainPeakMb: 0 };
/** RSS of each serve process once a minute (MB): growth that does not level off shows here. */
const timeline: { minute: number; network: number; stdio: number; scripted: number }[] = [];
let ticks = 0;
const sampler = setInterval(() => {
  rss.peakMb = Math.max(rss.peakMb, totalRss());
  rss.mainPeakMb = Math.max(rss.mainPeakMb, rssMb(main.proc.pid));
  if (++ticks % 60 === 0) {
    timeline.push({
      minute: ticks / 60,
      network: Math.round(rssMb(main.proc.pid)),
      stdio: Math.round(rssMb(stdio.proc.pid)),
      scripted: Math.round(rssMb(scripted.proc.pid)),
    });
  }
}, 1_000);

const port = (url: string | undefined): number => Number(new URL(url as string).port);
const targets: Record<string, () => Promise<void>> = {
  tcp: () => hitSocket({ host: '127.0.0.1', port: port(main.urls[0]) }, one(garbageLines)),
  unix: () => hitSocket({ path: path.join(dir, 'front.sock') }, one(garbageLines)),
  ws: () => hitWebSocket(main.urls[2] as string, one(garbageFrame), one(fc.boolean())),
  http: async () => {
    const status = await hitHttp(new URL(main.urls[3] as string), one(garbageText), one(fc.boolean()));
    if (status >= 500 && status !== 503) throw new Error(`HTTP ${status}`);
  },
  legacySse: async () => {
    await legacy.post(one(garbageText));
    await legacy.ping();
  },
  stdio: () => stdio.hit(one(garbageLines)),
  backendStdout: () => link.hit(one(garbageText)),
  httpRequestLine: async () => {
    await hitRawHttp(port(main.urls[3]), one(rawHttpRequest));
    const { status } = await httpExchange(new URL('/healthz', main.urls[3]), {});
    if (status !== 200) throw new Error(`/healthz answered ${status}`);
  },
  wsRequestLine: async () => {
    await hitRawHttp(port(main.urls[2]), one(rawHttpRequest));
    const { status } = await httpExchange(new URL('/', (main.urls[2] as string).replace(/^ws/, 'http')), {});
    if (status !== 426) throw new Error(`WebSocket listener answered ${status}`);
  },
  adminRequestLine: async () => {
    await hitRawHttp(port(main.admin), one(rawHttpRequest));
    const { status } = await httpExchange(new URL('/healthz', main.admin), {});
    if (status !== 200) throw new Error(`admin /healthz answered ${status}`);
  },
};

const names = values.only === undefined ? Object.keys(targets) : values.only.split(',');
for (const n of names)
  if (!(n in targets)) throw new Error(`unknown target ${n}; known: ${Object.keys(targets).join(', ')}`);
const cases: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
const failures: { target: string; seed: number; error: string }[] = [];
const crashes: { process: string; seedBefore: number; log: string[] }[] = [];

async function restartDead(lastSeed: number): Promise<void> {
  if (!alive(main.proc)) {
    crashes.push({ process: 'serve (network frontends)', seedBefore: lastSeed, log: main.tail.slice(-10) });
    legacy.close();
    main = await startServe(frontArgs);
    legacy = await LegacySseSession.open(new URL('/sse', main.urls[3]));
  }
  if (!alive(stdio.proc)) {
    crashes.push({ process: 'serve --listen stdio:', seedBefore: lastSeed, log: stdio.stderr.slice(-10) });
    stdio = startStdioServe(CLI);
  }
  if (!alive(scripted.proc)) {
    crashes.push({
      process: 'serve (scripted backend)',
      seedBefore: lastSeed,
      log: scripted.tail.slice(-10),
    });
    link.close();
    scripted = await startServe(['--listen', 'tcp://127.0.0.1:0', '--', process.execPath, SCRIPTED]);
    link = await BackendStdoutLink.open({
      host: '127.0.0.1',
      port: Number(new URL(scripted.urls[0] as string).port),
    });
  }
}

if (values.case !== undefined) {
  // One case, by the seed a summary reported: the same inputs against a fresh serve.
  const name = names[0] as string;
  state = Number(values.case) >>> 0;
  const t0 = Date.now();
  let outcome = 'answered';
  try {
    await (targets[name] as () => Promise<void>)();
  } catch (error) {
    outcome = (error as Error).message;
  }
  process.stderr.write(
    `${JSON.stringify({ target: name, case: Number(values.case), inputs: drawn, outcome, ms: Date.now() - t0 })}\n`,
  );
  failures.push(
    ...(outcome === 'answered' ? [] : [{ target: name, seed: Number(values.case), error: outcome }]),
  );
}
drawn.length = 0;
const started = Date.now();
const load = os.loadavg();
while (values.case === undefined && Date.now() - started < durationMs) {
  const name = names[nextSeed() % names.length] as string;
  const caseSeed = state;
  drawn.length = 0;
  try {
    await (targets[name] as () => Promise<void>)();
  } catch (error) {
    failures.push({ target: name, seed: caseSeed, error: (error as Error).message });
    if (name === 'backendStdout') {
      link.close();
      if (alive(scripted.proc))
        link = await BackendStdoutLink.open({
          host: '127.0.0.1',
          port: Number(new URL(scripted.urls[0] as string).port),
        });
    }
    if (name === 'legacySse' && alive(main.proc)) {
      legacy.close();
      legacy = await LegacySseSession.open(new URL('/sse', main.urls[3]));
    }
  }
  cases[name] = (cases[name] ?? 0) + 1;
  await restartDead(caseSeed);
}
clearInterval(sampler);
rss.endMb = totalRss();
const summary = {
  seed: firstSeed,
  minutes: Number(values.minutes),
  loadAverageAtStart: load.map((l) => Number(l.toFixed(2))),
  loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
  casesRun: Object.values(cases).reduce((a, b) => a + b, 0),
  cases,
  crashes,
  failures: failures.slice(0, 20),
  failureCount: failures.length,
  rssMb: {
    allServesStart: Math.round(rss.startMb),
    allServesPeak: Math.round(rss.peakMb),
    allServesEnd: Math.round(rss.endMb),
    networkServeStart: Math.round(rss.mainStartMb),
    networkServePeak: Math.round(rss.mainPeakMb),
    networkServeEnd: Math.round(rssMb(main.proc.pid)),
    perMinute: timeline,
  },
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);

link.close();
legacy.close();
await stdio.stop();
for (const s of [main, scripted]) {
  s.proc.kill('SIGTERM');
  await new Promise((r) => (alive(s.proc) ? s.proc.once('exit', r) : r(undefined)));
}
await rm(dir, { recursive: true, force: true });
process.exitCode = crashes.length > 0 || failures.length > 0 ? 1 : 0;
