/** Processes of the scale-out tests: `switchboard worker` and `switchboard serve` with shared state. */
import { spawn } from 'node:child_process';
import { CLI, EVERYTHING } from './processes.js';

/** A started CLI process with its captured stderr (JSON log lines). */
export interface CliProcess {
  pid: number;
  stderr: string[];
  /** The value of `key` in the first log line whose message is `msg`. */
  logged(msg: string, key: string): string | undefined;
  /** SIGKILL: a crash. Resolves once it exited. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s). Resolves once it exited. */
  stop(): Promise<void>;
  exited: boolean;
}

/** Spawns `node dist/cli.js …args` and resolves once a log line matches `ready`. */
export async function startCli(args: string[], ready: RegExp, what: string): Promise<CliProcess> {
  const proc = spawn(process.execPath, [CLI, ...args, '--log-format', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  let buffered = '';
  proc.stderr.on('data', (c: Buffer) => {
    buffered += c.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    stderr.push(...lines);
    if (stderr.length > 20_000) stderr.splice(0, stderr.length - 10_000);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));
  // Generous: on a loaded 2-core machine a node process can take tens of seconds to start.
  const deadline = Date.now() + 90_000;
  while (!stderr.some((l) => ready.test(l))) {
    if (done) throw new Error(`${what} exited: ${stderr.slice(-5).join(' | ')}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${what} not ready after 90 s: ${stderr.slice(-5).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (!done) proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid: proc.pid as number,
    stderr,
    logged(msg, key) {
      for (const line of stderr) {
        if (!line.includes(`"msg":"${msg}"`)) continue;
        const value = (JSON.parse(line) as Record<string, unknown>)[key];
        if (typeof value === 'string') return value;
      }
      return undefined;
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    get exited() {
      return done;
    },
  };
}

/** `switchboard worker --queue <queue> -- node server-everything stdio`; `worker` is its pool id. */
export async function startWorker(
  queue: string,
  extra: string[] = [],
): Promise<CliProcess & { worker: string }> {
  const p = await startCli(
    ['worker', '--queue', queue, ...extra, '--', process.execPath, EVERYTHING, 'stdio'],
    /"msg":"serving"/,
    'switchboard worker',
  );
  const worker = p.logged('listening', 'worker');
  if (worker === undefined) throw new Error('the worker did not log its id');
  return Object.assign(p, { worker });
}
