// `node --expose-gc --no-warnings src/profile.js [CASE_ID] [--seconds N] [--name NAME]`: runs one
// case of our proxy with `switchboard serve` under `node --cpu-prof`, then writes a flame graph
// (results/profiles/NAME.svg) and its top self-time functions (results/profiles/NAME.md). The raw
// .cpuprofile stays in results/runs/ (open it in Chrome DevTools or speedscope for more).
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { callTree, flameGraphSvg, topSelf } from './profile/flame-graph.js';
import { runCase } from './run-case.js';
import { scenarios } from './scenarios/index.js';
import { REPO_ROOT } from './subjects/paths.js';
import { machineInfo } from './sys/machine.js';
import { killAllNow } from './sys/processes.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '8' },
    name: { type: 'string' },
  },
});
const caseId = positionals[0] ?? 'proxy-ours/switchboard-stdio-to-http/c64';
const seconds = Math.max(1, Math.round(Number(values.seconds)));
const name = values.name ?? caseId.replaceAll('/', '--');

process.on('exit', killAllNow);
const found = (await Promise.all(scenarios.map((s) => s.cases()))).flat().find((c) => c.id === caseId);
if (!found) {
  process.stderr.write(`no case ${caseId} (ids look like proxy-ours/switchboard-stdio-to-http/c64)\n`);
  process.exit(2);
}
if (found.system !== 'switchboard') {
  process.stderr.write(`${caseId} does not run switchboard serve\n`);
  process.exit(2);
}

const resultsDir = new URL('../results/', import.meta.url).pathname;
const profDir = join(resultsDir, 'runs', `cpuprofile-${Date.now()}`);
mkdirSync(profDir, { recursive: true });
process.env.BENCH_SERVE_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${profDir}`;

const machine = machineInfo(REPO_ROOT);
const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
process.stdout.write(`profiling ${caseId} for ${seconds} × 1 s (load ${load})\n`);
const result = await runCase(found, { runs: seconds, warmupMs: 1000, windowMs: 1000 });
if (result.status !== 'ok') {
  process.stderr.write(`the case failed: ${result.reason ?? result.status}\n`);
  process.exit(1);
}
// The profile is written when serve exits (SIGTERM at the end of the case, a graceful stop).
const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
const largest = files
  .map((f) => ({ f, size: statSync(join(profDir, f)).size }))
  .sort((a, b) => b.size - a.size)[0];
if (!largest) {
  process.stderr.write(`serve wrote no profile in ${profDir} (killed before it exited?)\n`);
  process.exit(1);
}
const profile = JSON.parse(readFileSync(join(profDir, largest.f), 'utf8'));
const tree = callTree(profile);
const msgs = result.msgPerSec;
const stamp = `${machine.commit}${machine.workingTreeDirty ? ' (uncommitted changes)' : ''}`;
const subtitle = `${caseId} · commit ${stamp} · ${msgs?.median ?? '?'} msg/s under the profiler · load ${load} · ${tree.total} samples`;
const outDir = join(resultsDir, 'profiles');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, `${name}.svg`),
  flameGraphSvg(tree, { title: 'switchboard serve: CPU flame graph', subtitle }),
);

const top = topSelf(tree, 30);
const pct = (/** @type {number} */ x) => `${(100 * x).toFixed(1)} %`;
const md = [
  `# CPU profile: ${caseId}`,
  '',
  `Commit ${stamp}, ${machine.date}, Node ${machine.node}, ${machine.cores} cores; load average at start ${load}.`,
  `${seconds} windows of 1 s after 1 s of warm-up, \`switchboard serve\` under \`node --cpu-prof\`: ${msgs?.median ?? '?'} msg/s median (${msgs?.min}–${msgs?.max}), ${tree.total} samples. Flame graph: [${name}.svg](${name}.svg).`,
  '',
  '| # | Function | Where | Self | Of busy time |',
  '|---|---|---|---|---|',
  ...top.map(
    (t, i) =>
      `| ${i + 1} | \`${t.name}\` | ${t.where ? `\`${t.where}\`` : '(V8/native)'} | ${pct(t.share)} | ${t.busyShare ? pct(t.busyShare) : '–'} |`,
  ),
  '',
].join('\n');
writeFileSync(join(outDir, `${name}.md`), md);
// Keep only the serve profile: the rest (if any) were other node processes of the case.
for (const f of files) if (f !== largest.f) rmSync(join(profDir, f));
process.stdout.write(`${md}\nprofile: ${join(profDir, largest.f)}\n`);
