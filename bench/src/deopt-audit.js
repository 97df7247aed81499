// `node --expose-gc --no-warnings src/deopt-audit.js [--at-most N] [CASE_ID…]`: runs cases of
// `switchboard serve` with V8's deoptimisation log (`--log-deopt`, into files, never stdout: stdout may
// be the case's MCP transport) and reports every source position deoptimised more than N times (default
// 10) in one serve process. A handful of deoptimisations while a process warms up is normal; the same
// position again and again is a deoptimisation loop — code that keeps falling back to the interpreter,
// like the frame scanner's string loop did on buffers of two kinds (docs/raw-frames.md). Exit code 1 when
// one is found. Without CASE_IDs: stdio → HTTP at C=1 and C=64 with small messages, and 64 KiB and
// 1 MiB at C=1.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCase } from './run-case.js';
import { scenarios } from './scenarios/index.js';
import { killAllNow } from './sys/processes.js';

const DEFAULT_CASES = [
  'proxy-ours/switchboard-stdio-to-http/c1',
  'proxy-ours/switchboard-stdio-to-http/c64',
  'payload/switchboard-stdio-to-http/c1/64KiB',
  'payload/switchboard-stdio-to-http/c1/1MiB',
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'at-most': { type: 'string', default: '10' } },
});
const atMost = Math.max(0, Math.round(Number(values['at-most'])));
const caseIds = positionals.length > 0 ? positionals : DEFAULT_CASES;

process.on('exit', killAllNow);
const all = (await Promise.all(scenarios.map((s) => s.cases()))).flat();
let loops = 0;
for (const caseId of caseIds) {
  const found = all.find((c) => c.id === caseId);
  if (!found || found.system !== 'switchboard') {
    process.stderr.write(`${caseId}: no case of switchboard serve by that id\n`);
    process.exitCode = 2;
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), 'deopt-audit-'));
  try {
    // `--log-deopt` also prints each deoptimisation to stdout; the redirect sends that text to a file.
    process.env.BENCH_SERVE_NODE_ARGS = [
      '--log-deopt',
      `--logfile=${join(dir, 'serve-%p.log')}`,
      '--no-logfile-per-isolate',
      '--redirect-code-traces',
      `--redirect-code-traces-to=${join(dir, 'code-traces.txt')}`,
    ].join(' ');
    const result = await runCase(found, { runs: 3, warmupMs: 1000, windowMs: 1000 });
    if (result.status !== 'ok') {
      process.stderr.write(`${caseId}: the case failed: ${result.reason ?? result.status}\n`);
      process.exitCode = 1;
      continue;
    }
    const lines = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
      const counts = deoptsByPosition(readFileSync(join(dir, file), 'utf8'));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const repeated = [...counts].filter(([, n]) => n > atMost).sort((a, b) => b[1] - a[1]);
      loops += repeated.length;
      lines.push(`  ${file}: ${total} deoptimisations${repeated.length === 0 ? ', none repeated' : ''}`);
      for (const [where, n] of repeated) lines.push(`    ${n} × ${where}`);
    }
    process.stdout.write(
      `${caseId} (${result.msgPerSec?.median ?? '?'} msg/s under the log)\n${lines.join('\n')}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(
  loops === 0 ? `no position deoptimised more than ${atMost} times\n` : `${loops} deoptimisation loop(s)\n`,
);
if (loops > 0) process.exitCode = 1;

/**
 * Deoptimisations per source position (with the reason) in one V8 log: its `code-deopt` lines end in
 * `…,<position>,reason`.
 * @param {string} log
 * @returns {Map<string, number>}
 */
function deoptsByPosition(log) {
  const counts = new Map();
  for (const line of log.split('\n')) {
    if (!line.startsWith('code-deopt,')) continue;
    const at = line.lastIndexOf(',<');
    if (at < 0) continue;
    const [position, reason] = [
      line.slice(at + 1, line.lastIndexOf(',')),
      line.slice(line.lastIndexOf(',') + 1),
    ];
    const key = `${position} (${reason})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
