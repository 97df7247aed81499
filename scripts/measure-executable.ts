// Measures a single-file executable against `node dist/cli.js`: size, `--version` wall time and the
// time from spawn to the "listening" log line of `serve` (demo backend, HTTP on port 0), median of N
// runs each. Usage: node --import tsx scripts/measure-executable.ts <executable> [runs=5]
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';

const [exe, runsArg = '5'] = process.argv.slice(2);
if (exe === undefined) throw new Error('usage: scripts/measure-executable.ts <executable> [runs]');
const runs = Number(runsArg);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// Wall time until the process exits (0), or until `until` appears on its stderr (then it is stopped).
function timed(command: string, args: string[], until?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (until !== undefined && err.includes(until)) {
        const ms = performance.now() - started;
        child.once('exit', () => resolve(ms));
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      if (until !== undefined) return;
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(err));
    });
  });
}

const serve = ['serve', '--listen', 'http://127.0.0.1:0/mcp', '--log-format', 'json'];
const targets: [string, string, string[]][] = [
  ['executable', exe, []],
  ['node dist/cli.js', process.execPath, ['dist/cli.js']],
];
process.stdout.write(`executable: ${(statSync(exe).size / 1024 / 1024).toFixed(1)} MiB\n`);
for (const [label, command, prefix] of targets) {
  const version: number[] = [];
  const listening: number[] = [];
  for (let i = 0; i < runs; i++) {
    version.push(await timed(command, [...prefix, '--version']));
    listening.push(await timed(command, [...prefix, ...serve], '"msg":"listening"'));
  }
  process.stdout.write(
    `${label}: --version median ${median(version).toFixed(0)} ms, ` +
      `time to listening median ${median(listening).toFixed(0)} ms (${runs} runs each)\n`,
  );
}
