/** Processes of the scale-out tests: `switchboard worker` and `switchboard serve` with shared state. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
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
  /** The exit code once exited (`null` when ended by a signal or still running). */
  exitCode: number | null;
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
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
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
    get exitCode() {
      return exitCode;
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

/** Options of {@link startStateGateway}. */
export interface StateGatewayOptions {
  /** Where its config file goes. */
  dir: string;
  /** Its instance name. */
  name: string;
  /** The `state.url` (with `?prefix=`). */
  stateUrl: string;
  /** The backend arguments of `serve` (a queue URI, or `--`, a command and its arguments). */
  backend: string[];
}

/**
 * `switchboard serve … --listen http://127.0.0.1:0/mcp --response-mode sse` with shared state in Redis
 * (heartbeat 200 ms, dead after 1 s); `url` is its MCP endpoint.
 */
export async function startStateGateway(o: StateGatewayOptions): Promise<CliProcess & { url: string }> {
  const config = path.join(o.dir, `${o.name}.yaml`);
  writeFileSync(
    config,
    `state:\n  url: "${o.stateUrl}"\n  instance: ${o.name}\n  heartbeat: 200ms\n  deadAfter: 1s\n`,
  );
  const dash = o.backend.indexOf('--');
  const [before, after] = dash === -1 ? [o.backend, []] : [o.backend.slice(0, dash), o.backend.slice(dash)];
  const p = await startCli(
    [
      'serve',
      ...before,
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--config',
      config,
      '--response-mode',
      'sse',
      ...after,
    ],
    /"msg":"serving"/,
    `gateway ${o.name}`,
  );
  const url = p.logged('listening', 'url');
  if (url === undefined) {
    await p.kill();
    throw new Error(`gateway ${o.name} logged no url`);
  }
  return Object.assign(p, { url });
}
