// `node --expose-gc --no-warnings src/compare.js --base DIST_DIR [--rounds N] [CASE_ID…]`: measures
// cases of `switchboard serve` against two builds in the same run — another build (`--base`, a copy
// of an earlier `dist/`) and this tree's `dist/` — in alternating order, round after round, so that a
// change is judged by a ratio measured side by side rather than against a number from another moment
// of a shared machine. Cases that do not run our proxy (raw limits) run once per round, as context.
// With `--cpu`, each switchboard case measures instead the CPU time the serve process spends per
// request (µs, from /proc; nearly independent of the other load on the machine, unlike msg/s).
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuPerRequest } from './load/cpu-cost.js';
import { medianOf, runCase } from './run-case.js';
import { scenarios } from './scenarios/index.js';
import { CaseContext } from './sys/case-context.js';
import { killAllNow } from './sys/processes.js';
import { RssSampler } from './sys/rss-sampler.js';

const DEFAULT_CASES = [
  'raw-http/json-64conn/c64',
  'proxy-ours/switchboard-stdio-to-http/c64',
  'raw-pipe/pipe/c1',
  'proxy-ours/switchboard-stdio-to-http/c1',
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    window: { type: 'string', default: '500' },
    cpu: { type: 'boolean', default: false },
    count: { type: 'string', default: '20000' },
  },
});
if (!values.base) {
  process.stderr.write('usage: src/compare.js --base DIST_DIR [--rounds N] [CASE_ID…]\n');
  process.exit(2);
}
const baseCli = join(resolve(values.base), 'cli.js');
if (!existsSync(baseCli)) {
  process.stderr.write(`no ${baseCli}\n`);
  process.exit(2);
}
const rounds = Math.max(1, Number(values.rounds));
const suite = { runs: Number(values.runs), warmupMs: 400, windowMs: Number(values.window) };
process.on('exit', killAllNow);

const ids = positionals.length > 0 ? positionals : DEFAULT_CASES;
const all = new Map((await Promise.all(scenarios.map((s) => s.cases()))).flat().map((c) => [c.id, c]));
const cases = ids.map((id) => {
  const c = all.get(id);
  if (!c) {
    process.stderr.write(`no case ${id}\n`);
    process.exit(2);
  }
  return c;
});

/**
 * CPU time of the `switchboard` process per request of a case, over `--count` requests after a warm-up.
 * @param {import('./scenarios/cases.js').BenchCase} c
 * @returns {Promise<number>} µs per request
 */
async function serveCpu(c) {
  const ctx = new CaseContext(new RssSampler());
  /** @type {import('./load/channel.js').Channel | undefined} */
  let channel;
  try {
    if (!c.setup) throw new Error(`${c.id} has no setup`);
    channel = await c.setup(ctx, c.payloadBytes);
    await channel.open();
    const pid = ctx.pidOf('switchboard');
    if (pid === undefined) throw new Error(`${c.id} started no switchboard process`);
    const count = Number(values.count);
    return (await cpuPerRequest(channel, pid, { warmup: 3000, count, concurrency: c.concurrency })).cpuMicros;
  } finally {
    await channel?.close().catch(() => undefined);
    await ctx.cleanup();
  }
}

/** @type {Map<string, { msgs: number[], p50: number[] }>} */
const seen = new Map();
/**
 * @param {string} key
 * @param {import('./run-case.js').CaseResult} r
 */
function note(key, r) {
  const s = seen.get(key) ?? { msgs: [], p50: [] };
  seen.set(key, s);
  if (r.status !== 'ok' || !r.msgPerSec || !r.latencyMs) {
    process.stdout.write(`  ${key}: ${r.status} ${r.reason ?? ''}\n`);
    return;
  }
  s.msgs.push(r.msgPerSec.median);
  s.p50.push(r.latencyMs.p50);
  process.stdout.write(
    `  ${key.padEnd(58)} ${String(r.msgPerSec.median).padStart(7)} msg/s  p50 ${r.latencyMs.p50.toFixed(3)} ms  (load ${r.loadAverage})\n`,
  );
}

process.stdout.write(
  `load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}\n`,
);
for (let round = 0; round < rounds; round++) {
  process.stdout.write(`round ${round + 1}/${rounds}\n`);
  for (const c of cases) {
    if (c.system !== 'switchboard') {
      note(c.id, await runCase(c, suite));
      continue;
    }
    // Alternate which build goes first, so a drift of the machine's load favours neither.
    const order = round % 2 === 0 ? ['base', 'new'] : ['new', 'base'];
    for (const which of order) {
      process.env.BENCH_SERVE_CLI = which === 'base' ? baseCli : '';
      const key = `${c.id} [${which}]`;
      if (!values.cpu) {
        note(key, await runCase(c, suite));
        continue;
      }
      const us = await serveCpu(c);
      const s = seen.get(key) ?? { msgs: [], p50: [] };
      seen.set(key, s);
      s.msgs.push(Math.round(us * 10) / 10);
      process.stdout.write(
        `  ${key.padEnd(58)} ${us.toFixed(1).padStart(7)} µs CPU/request  (load ${loadavg()[0]?.toFixed(2)})\n`,
      );
    }
  }
}
process.env.BENCH_SERVE_CLI = '';

process.stdout.write(`\nmedians over rounds (${values.cpu ? 'µs CPU/request' : 'msg/s, p50 ms'}):\n`);
for (const [key, s] of seen) {
  if (s.msgs.length === 0) continue;
  process.stdout.write(
    `  ${key.padEnd(58)} ${String(medianOf(s.msgs)).padStart(7)}${s.p50.length > 0 ? `  p50 ${medianOf(s.p50.map((x) => Math.round(x * 1000))) / 1000}` : ''}  [${s.msgs.join(', ')}]\n`,
  );
}
for (const c of cases) {
  const base = seen.get(`${c.id} [base]`);
  const now = seen.get(`${c.id} [new]`);
  if (!base?.msgs.length || !now?.msgs.length) continue;
  const ratio = medianOf(now.msgs) / medianOf(base.msgs);
  process.stdout.write(
    `  ${c.id}: new/base ${ratio.toFixed(3)}×${values.cpu ? ' (CPU per request: below 1 is cheaper)' : ''}\n`,
  );
}
process.stdout.write(
  `load average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}\n`,
);
