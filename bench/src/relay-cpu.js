// What a pool worker costs per call without Redis: `switchboard serve --listen stdio:` relaying the
// scale-out benchmark's CPU-bound tool (~2 ms per call) to its stdio child, `--in-flight` calls at a
// time over the cheapest frontend (NDJSON on pipes). A worker is this relay with the Redis queue as its
// frontend, so this is the floor of its CPU per call; the scale-out ratio cannot beat
// 2 x (tool + backend) / (tool + backend + relay + load generator + redis) on 2 cores.
//   node --no-warnings src/relay-cpu.js [--seconds 6] [--in-flight 64]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '../../dist/cli.js');
const SERVER = path.join(here, 'servers/cpu-bound-stdio.js');
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '6' }, 'in-flight': { type: 'string', default: '64' } },
});
const SECONDS = Number(values.seconds);
const IN_FLIGHT = Number(values['in-flight']);

/** CPU µs used so far by a process (Linux /proc, 10 ms ticks). @param {number} pid */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** @param {number} pid */
function childrenCpu(pid) {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(' ')
    .filter(Boolean)
    .reduce((total, child) => total + cpuMicros(Number(child)), 0);
}

const serve = spawn(
  process.execPath,
  [
    CLI,
    'serve',
    '--listen',
    'stdio:',
    '--session-mode',
    'shared',
    '--log-format',
    'json',
    '--',
    process.execPath,
    SERVER,
  ],
  { stdio: ['pipe', 'pipe', 'ignore'] },
);
const pid = /** @type {number} */ (serve.pid);
/** @type {Map<number, () => void>} */
const waiting = new Map();
let buffered = '';
serve.stdout.on('data', (/** @type {Buffer} */ chunk) => {
  buffered += chunk.toString();
  let end;
  while ((end = buffered.indexOf('\n')) >= 0) {
    const { id } = /** @type {{ id: number }} */ (JSON.parse(buffered.slice(0, end)));
    buffered = buffered.slice(end + 1);
    const resolve = waiting.get(id);
    waiting.delete(id);
    resolve?.();
  }
});
let next = 0;
/** @param {Record<string, unknown>} message */
const call = (message) =>
  new Promise((resolve) => {
    const id = ++next;
    waiting.set(id, () => resolve(undefined));
    serve.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message, id })}\n`);
  });
await call({
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
});
serve.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
const state = { done: 0, stop: false };
const spin = { method: 'tools/call', params: { name: 'spin', arguments: {} } };
const loops = Array.from({ length: IN_FLIGHT }, async () => {
  while (!state.stop) {
    await call(spin);
    state.done++;
  }
});
await new Promise((r) => setTimeout(r, 1000));
const from = {
  calls: state.done,
  serve: cpuMicros(pid),
  backend: childrenCpu(pid),
  driver: process.cpuUsage(),
};
const t0 = performance.now();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const calls = state.done - from.calls;
const driver = process.cpuUsage(from.driver);
process.stdout.write(
  `serve stdio -> stdio child, ${IN_FLIGHT} in flight: ${((calls * 1000) / (performance.now() - t0)).toFixed(0)} calls/s; ` +
    `CPU µs per call: relay (serve) ${((cpuMicros(pid) - from.serve) / calls).toFixed(0)}, backend ${((childrenCpu(pid) - from.backend) / calls).toFixed(0)}, ` +
    `driver ${((driver.user + driver.system) / calls).toFixed(0)}; load ${os.loadavg()[0].toFixed(1)}\n`,
);
state.stop = true;
const exited = new Promise((r) => serve.once('exit', r));
serve.kill('SIGTERM');
await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
process.exit(0);
