// Summarises a vitest JSON report (`--reporter=json --outputFile.json=FILE`) for a note: totals, the
// failed tests, and the slowest files and tests by wall time.
//
//   node scripts/summarize-test-run.mjs FILE [how-many]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const [file, howMany = '8'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/summarize-test-run.mjs REPORT.json [how-many]\n');
  process.exitCode = 2;
} else {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const top = Number(howMany);
  const rel = (name) => path.relative(process.cwd(), name);
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const files = report.testResults.map((f) => ({ name: rel(f.name), ms: f.endTime - f.startTime, f }));
  const tests = files.flatMap(({ name, f }) =>
    f.assertionResults.map((t) => ({
      name,
      title: t.fullName || t.title,
      ms: t.duration ?? 0,
      status: t.status,
    })),
  );
  const out = [
    `  tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped` +
      ` (${report.numTotalTestSuites} suites in ${files.length} files)`,
  ];
  for (const t of tests.filter((t) => t.status === 'failed')) out.push(`  FAILED ${t.name} > ${t.title}`);
  for (const f of files.filter(
    (f) => f.f.status === 'failed' && f.f.assertionResults.every((t) => t.status !== 'failed'),
  ))
    out.push(`  FAILED ${f.name}: ${(f.f.message || 'failed outside its tests').split('\n')[0]}`);
  out.push(`  slowest files:`);
  for (const f of [...files].sort((a, b) => b.ms - a.ms).slice(0, top))
    out.push(`    ${seconds(f.ms).padStart(8)}  ${f.name}`);
  out.push(`  slowest tests:`);
  for (const t of [...tests].sort((a, b) => b.ms - a.ms).slice(0, top))
    out.push(`    ${seconds(t.ms).padStart(8)}  ${t.name} > ${t.title.slice(0, 100)}`);
  process.stdout.write(out.join('\n') + '\n');
}
