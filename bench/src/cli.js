// `npm run bench [-- <scenario>… ] [options]`: runs benchmark scenarios, prints a table, writes the
// report. This is the only module that talks to the terminal and exits the process.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { consoleTable, progressLine } from './report/console-table.js';
import { computeRatios } from './report/ratios.js';
import { evaluateTargets } from './report/targets.js';
import { writeReport } from './report/write-report.js';
import { runCase } from './run-case.js';
import { scenarios } from './scenarios/index.js';
import rawPipe from './scenarios/raw-pipe.js';
import { selectScenarios } from './select.js';
import { REPO_ROOT } from './subjects/paths.js';
import { machineInfo } from './sys/machine.js';
import { killAllNow, liveCount } from './sys/processes.js';
import { collectWarnings, setWarningCase, warningsSeen } from './sys/warnings.js';

const USAGE = `Usage: npm run bench [-- <scenario>… | all] [options]

Without scenarios, runs the default set (the cases marked default of the default scenarios,
within 5 minutes) and refreshes results/latest.{md,json,svg}.
With scenarios, runs all their cases (plus the raw-limit scenarios their ratios need) and writes
results/runs/ only.

Options:
  --runs N        timed windows per case; the median is quoted (default 3)
  --warmup MS     shortest warm-up before the first window (default 400); it goes on until 3,000
                  requests (or 16 MiB) succeeded, 4 s at most
  --window MS     length of one timed window (default 500)
  --rate N        fixed-rate load (requests/s) instead of fixed concurrency (C caps the in-flight requests)
  --quick         --runs 2 --warmup 200 --window 300, for a smoke run
  --latest        also refresh results/latest.* when scenarios are named
  --no-needs      do not add the baseline scenarios of the named ones
  --list          list the scenarios and exit
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string' },
    warmup: { type: 'string' },
    window: { type: 'string' },
    rate: { type: 'string' },
    quick: { type: 'boolean', default: false },
    latest: { type: 'boolean', default: false },
    'no-needs': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (values.list) {
  for (const s of scenarios)
    process.stdout.write(`${s.name.padEnd(18)} ${s.inDefault ? 'default ' : '        '} ${s.title}\n`);
  process.exit(0);
}

/**
 * @param {string | undefined} text
 * @param {number} fallback
 */
function positive(text, fallback) {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`not a positive number: ${text}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

/** @type {import('./run-case.js').SuiteOptions} */
const options = {
  runs: Math.round(positive(values.runs, values.quick ? 2 : 3)),
  warmupMs: positive(values.warmup, values.quick ? 200 : 400),
  windowMs: positive(values.window, values.quick ? 300 : 500),
  ...(values.rate === undefined ? {} : { rate: positive(values.rate, 1) }),
};

// Every process the bench started dies with it, whatever ends the run.
process.on('exit', killAllNow);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping ${liveCount()} processes\n`);
    killAllNow();
    process.exit(130);
  });
}
collectWarnings();
process.on('unhandledRejection', (reason) =>
  process.stderr.write(`unhandled rejection: ${String(reason)}\n`),
);

let selected;
try {
  selected = selectScenarios(positionals, !values['no-needs']);
} catch (error) {
  process.stderr.write(`${String(error instanceof Error ? error.message : error)}\n`);
  process.exit(2);
}

const defaultRun = positionals.length === 0;
const machine = machineInfo(REPO_ROOT);
process.stdout.write(
  `mcp-switchboard bench — ${machine.cpuModel} × ${machine.cores}, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}\n` +
    `scenarios: ${selected.map((s) => s.name).join(', ')}; ${options.runs} × ${options.windowMs} ms windows after ${options.warmupMs} ms warm-up\n\n`,
);

const t0 = performance.now();
// Warm the load generator itself (JIT, buffers) on an untimed, unrecorded raw-pipe load, so that the
// first case of the run does not pay for it.
const [, warmUpCase] = await rawPipe.cases();
if (warmUpCase)
  await runCase({ ...warmUpCase, id: 'generator-warm-up' }, { runs: 1, warmupMs: 800, windowMs: 200 });
/** @type {import('./run-case.js').CaseResult[]} */
const results = [];
for (const scenario of selected) {
  process.stdout.write(`## ${scenario.name}: ${scenario.title}\n`);
  for (const c of await scenario.cases()) {
    if (defaultRun && c.inDefault === false) continue;
    // Collect the previous case's garbage now, not in the next timed window (with --expose-gc).
    /** @type {any} */ (globalThis).gc?.();
    setWarningCase(c.id);
    const result = await runCase(c, options);
    results.push(result);
    process.stdout.write(`${progressLine(result)}\n`);
  }
}

const run = {
  machine,
  options,
  scenarios: selected.map((s) => s.name),
  durationSeconds: (performance.now() - t0) / 1000,
  results,
  targets: evaluateTargets(results),
  warnings: warningsSeen(),
};
const latest = defaultRun || values.latest;
const paths = writeReport(run, { dir: fileURLToPath(new URL('../results', import.meta.url)), latest });

process.stdout.write(`\n${consoleTable(results, computeRatios(results))}\n\nTargets:\n`);
for (const t of run.targets) process.stdout.write(`  [${t.status}] ${t.target}\n      ${t.measured}\n`);
process.stdout.write(
  `\nReport: ${paths.latest ?? paths.md}\nWall time: ${Math.round(run.durationSeconds)} s\n`,
);
process.exit(0);
