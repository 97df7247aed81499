/**
 * Overhead of the default middleware chain of `switchboard serve` (metrics with byte counts, circuit
 * breaker, retry, tracing without an SDK, health pings) against none (`--no-metrics --no-breaker
 * --no-retry --no-tracing --no-health`), in the same run: two serve processes (TCP frontend, a raw
 * NDJSON echo backend over stdio), a lean pipelining NDJSON client with C requests in flight, and the
 * two configurations measured in alternating windows.
 *
 *   npm run build && node --import tsx scripts/bench-middleware.ts [--concurrency 64] [--windows 6] [--seconds 2]
 *
 * Prints msg/s (median of the windows, min–max) and the serve process's CPU time per message, which
 * does not depend on the client or on other load of the shared machine as much.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '64' },
    windows: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '2' },
    // Fixed offered load (msg/s) instead of "as fast as C in flight allows": compares CPU per message
    // at the same rate, so batching effects of different throughputs do not enter the comparison.
    rate: { type: 'string', default: '0' },
    // Compare other flag sets (space-separated serve flags), e.g. --with "--no-tracing".
    base: { type: 'string', default: '--no-metrics --no-breaker --no-retry --no-tracing --no-health' },
    with: { type: 'string', default: '' },
  },
});
const C = Number(values.concurrency);
const WINDOWS = Number(values.windows);
const WINDOW_MS = Number(values.seconds) * 1000;
const RATE = Number(values.rate);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

// A raw echo backend without the SDK: the backend must not be the bottleneck.
const ECHO = `
const rl = (await import('node:readline')).createInterface({ input: process.stdin });
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
rl.on('line', (l) => { const m = JSON.parse(l); if (m.id === undefined || !m.method) return;
  if (m.method === 'initialize') out({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'echo', version: '1' } } });
  else if (m.method === 'tools/call') out({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: m.params.arguments.text }] } });
  else out({ jsonrpc: '2.0', id: m.id, result: {} }); });`;

interface Serve {
  name: string;
  proc: ChildProcess;
  port: number;
}

async function startServe(name: string, extra: string[]): Promise<Serve> {
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--listen',
      'tcp://127.0.0.1:0',
      '--log-format',
      'json',
      '--log-level',
      'info',
      ...extra,
      '--',
      process.execPath,
      '--input-type=module',
      '-e',
      ECHO,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr?.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /"url":"tcp:\/\/127\.0\.0\.1:(\d+)"/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${text}`)));
  });
  return { name, proc, port };
}

/** One client connection with C requests in flight; counts answers. */
async function client(
  port: number,
): Promise<{ answered: () => number; stop: () => void; pause: (p: boolean) => void }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.setNoDelay(true);
  let answered = 0;
  let next = 1;
  let paused = true;
  let inflight = 0;
  let buffer = '';
  const text = 'x'.repeat(100);
  let credit = 0;
  if (RATE > 0) {
    // Every 5 ms, allow the messages of that slice of a second (bounded by C in flight).
    const tick = setInterval(() => {
      if (paused) return;
      credit = Math.min(credit + RATE / 200, C);
      send();
    }, 5);
    tick.unref();
  }
  const send = (): void => {
    let batch = '';
    while (!paused && inflight < C && (RATE === 0 || credit >= 1)) {
      if (RATE > 0) credit--;
      inflight++;
      batch += `${JSON.stringify({ jsonrpc: '2.0', id: ++next, method: 'tools/call', params: { name: 'echo', arguments: { text } } })}\n`;
    }
    if (batch !== '') socket.write(batch);
  };
  let ready!: () => void;
  const initialized = new Promise<void>((r) => (ready = r));
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const m = JSON.parse(line) as { id?: number };
      if (m.id === 1) {
        socket.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
        ready();
        continue;
      }
      inflight--;
      answered++;
    }
    send();
  });
  socket.write(
    `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`,
  );
  await initialized;
  return {
    answered: () => answered,
    stop: () => socket.destroy(),
    pause: (p) => {
      paused = p;
      if (!p) send();
    },
  };
}

/** CPU time (user + system) of a process, in ms, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const print = (line: string): void => void process.stdout.write(`${line}\n`);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

const split = (flags: string): string[] => flags.split(' ').filter((f) => f !== '');
const configs = [
  {
    name: values.base === '' ? 'default chain' : 'none',
    flags: split(values.base),
    rates: [] as number[],
    cpu: [] as number[],
  },
  {
    name: values.with === '' ? 'default chain' : values.with,
    flags: split(values.with),
    rates: [] as number[],
    cpu: [] as number[],
  },
];

/**
 * One round: both serve processes started (in the given order), warmed up, then measured in
 * alternating windows. Two rounds with the start order swapped cancel the bias of process placement
 * that a shared 2-core machine shows (the same configuration started first or second differs by a few %).
 */
async function round(order: (typeof configs)[number][]): Promise<void> {
  const started: { cfg: (typeof configs)[number]; serve: Serve }[] = [];
  try {
    for (const cfg of order) started.push({ cfg, serve: await startServe(cfg.name, cfg.flags) });
    const subjects = await Promise.all(started.map(async (x) => ({ ...x, c: await client(x.serve.port) })));
    for (const x of subjects) {
      x.c.pause(false);
      await new Promise((r) => setTimeout(r, 1000)); // warm-up
      x.c.pause(true);
    }
    for (let w = 0; w < WINDOWS; w++) {
      for (const x of w % 2 === 0 ? subjects : [...subjects].reverse()) {
        await new Promise((r) => setTimeout(r, 100)); // drain
        const a0 = x.c.answered();
        const cpu0 = cpuMs(x.serve.proc.pid as number);
        const t0 = performance.now();
        x.c.pause(false);
        await new Promise((r) => setTimeout(r, WINDOW_MS));
        x.c.pause(true);
        const n = x.c.answered() - a0;
        x.cfg.rates.push((n * 1000) / (performance.now() - t0));
        x.cfg.cpu.push(((cpuMs(x.serve.proc.pid as number) - cpu0) * 1000) / n);
      }
    }
    for (const x of subjects) x.c.stop();
  } finally {
    for (const x of started) x.serve.proc.kill('SIGTERM');
  }
}

await round(configs);
await round([...configs].reverse());
print(
  `C=${C}${RATE > 0 ? `, offered ${RATE} msg/s` : ''}, 2 rounds (start order swapped) × ${WINDOWS} windows of ${WINDOW_MS} ms, alternating; tools/call echo with 100 B of text`,
);
for (const x of configs) {
  print(
    `${x.name.padEnd(14)} ${Math.round(median(x.rates)).toString().padStart(7)} msg/s (min ${Math.round(Math.min(...x.rates))}, max ${Math.round(Math.max(...x.rates))})   serve CPU ${median(x.cpu).toFixed(1)} µs/msg`,
  );
}
const [a, b] = configs as [(typeof configs)[0], (typeof configs)[0]];
const overhead = (1 - median(b.rates) / median(a.rates)) * 100;
const cpuOverhead = (median(b.cpu) / median(a.cpu) - 1) * 100;
print(
  `overhead of the default chain: ${overhead.toFixed(1)} % throughput, ${cpuOverhead.toFixed(1)} % serve CPU per message`,
);
