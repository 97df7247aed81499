import { Command } from 'commander';
import type { ServeConfig } from '../../config/serve-config.js';
import { SwitchboardError } from '../../errors.js';
import { addBackendTargetOptions, splitOperands, type BackendTargetFlags } from '../backend-target.js';
import { resolveServeConfig, serveUntilStopped } from './serve.js';

/** Exit code of a usage error. */
const USAGE = 2;

interface WorkerFlags extends BackendTargetFlags {
  queue?: string;
  config?: string;
  sessionMode?: string;
  maxSessions?: string;
  timeout?: string;
  maxTimeout?: string;
  maxMessageBytes?: string;
  restartMax?: string;
  env?: string[];
  inheritEnv?: boolean;
  cwd?: string;
  logLevel?: string;
  logFormat?: string;
  adminBind?: string;
  shutdownGrace?: string;
  gc?: string;
  rerunUnsafe?: boolean;
  redisCa?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * Builds a worker's configuration: `serve`'s, listening on the queue instead of a network frontend,
 * one shared backend per worker unless `--session-mode per-session`.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` for a missing or non-Redis `--queue`, or any serve error
 */
export function resolveWorkerConfig(
  flags: WorkerFlags,
  operands: { positional: string[]; command: string[] },
): ServeConfig {
  const queue = flags.queue;
  if (queue === undefined || !/^rediss?:\/\//i.test(queue)) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      '--queue <redis://host:port/db?stream=NAME> is required (the pool to serve)',
    );
  }
  const { queue: _queue, rerunUnsafe, redisCa, ...serveFlags } = flags;
  void _queue;
  const config = resolveServeConfig(
    { ...serveFlags, listen: [queue], sessionMode: flags.sessionMode ?? 'shared' },
    operands,
  );
  if (rerunUnsafe === true) config.redis.rerunUnsafe = true;
  if (redisCa !== undefined) config.redis.caFile = redisCa;
  return config;
}

/** Registers `switchboard worker`. */
export function registerWorkerCommand(program: Command): void {
  const command = new Command('worker')
    .description(
      'serve one backend from a Redis Streams queue: several workers on one stream form a pool; a dead worker’s work is adopted by the others',
    )
    .argument('[backend...]', 'backend URI, or -- <command> [args…] (a supervised stdio child)')
    .usage("--queue 'redis://host:6379/0?stream=NAME' [backend-uri] [options] [-- <command> [args…]]");
  addBackendTargetOptions(command);
  command
    .option('--queue <uri>', 'the pool: redis[s]://[user:password@]host:port/db?stream=NAME[&prefix=…]')
    .option('--config <file>', 'YAML config file (the serve schema; flags win)')
    .option('--session-mode <mode>', 'shared (default: one backend per worker) | per-session')
    .option('--max-sessions <n>', 'most concurrent client connections (default 1000)')
    .option('--timeout <duration>', 'request deadline without progress (default 60s)')
    .option('--max-timeout <duration>', 'hard cap on a request (default 10m)')
    .option('--max-message-bytes <n>', 'largest message (default 33554432)')
    .option('--restart-max <n>', 'stop restarting a backend after this many fast failures (default 5)')
    .option('--env <NAME=value>', 'environment variable for a stdio backend, repeatable', collect)
    .option('--inherit-env', 'pass our whole environment to a stdio backend')
    .option('--cwd <dir>', 'working directory of a stdio backend')
    .option(
      '--rerun-unsafe',
      'run again every request a dead worker had started (default: only read-only methods and tools annotated readOnlyHint/idempotentHint; the others get an error naming the dead worker)',
    )
    .option('--redis-ca <file>', 'CA bundle to verify a rediss:// server')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent (default info)')
    .option('--log-format <format>', 'json | pretty (default: pretty on a terminal)')
    .option('--admin-bind <host:port>', 'serve /healthz, /readyz and /metrics here')
    .option('--shutdown-grace <duration>', 'how long in-flight requests may finish on shutdown (default 10s)')
    .option(
      '--gc <marking>',
      'V8 old-generation marking: auto (default: one pause while the heap is small), atomic or incremental',
    );
  command.action(async (operands: string[], flags: WorkerFlags, cmd: Command) => {
    let config: ServeConfig;
    try {
      const rawArgs = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv;
      config = resolveWorkerConfig(flags, splitOperands(operands, rawArgs, 'worker'));
    } catch (error) {
      console.error(`switchboard worker: ${(error as Error).message}`);
      process.exitCode = USAGE;
      return;
    }
    await serveUntilStopped(config);
  });
  program.addCommand(command);
}
