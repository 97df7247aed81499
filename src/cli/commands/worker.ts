import { Command } from 'commander';
import type { ServeConfig } from '../../config/serve-config.js';
import { SwitchboardError } from '../../errors.js';
import { addBackendTargetOptions, splitOperands, type BackendTargetFlags } from '../backend-target.js';
import { addProcessOptions, addStdioChildOptions, type ProcessFlags } from '../serve/process-flags.js';
import { resolveServeConfig, serveUntilStopped } from './serve.js';

/** Exit code of a usage error. */
const USAGE = 2;

interface WorkerFlags extends BackendTargetFlags, ProcessFlags {
  queue?: string;
  config?: string;
  sessionMode?: string;
  maxSessions?: string;
  timeout?: string;
  maxTimeout?: string;
  maxMessageBytes?: string;
  adminBind?: string;
  rerunUnsafe?: boolean;
  redisCa?: string;
}

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
    .option(
      '--rerun-unsafe',
      'run again every request a dead worker had started (default: only read-only methods and tools annotated readOnlyHint/idempotentHint; the others get an error naming the dead worker)',
    )
    .option('--redis-ca <file>', 'CA bundle to verify a rediss:// server')
    .option('--admin-bind <host:port>', 'serve /healthz, /readyz and /metrics here');
  addStdioChildOptions(command);
  addProcessOptions(command);
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
