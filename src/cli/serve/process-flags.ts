import type { Command } from 'commander';
import { collect } from '../repeatable.js';

/**
 * The flags {@link addProcessOptions} and {@link addStdioChildOptions} declare, as commander hands them
 * over; `resolveServeConfig` reads them into the configuration.
 */
export interface ProcessFlags {
  logLevel?: string;
  logFormat?: string;
  shutdownGrace?: string;
  gc?: string;
  restartMax?: string;
  env?: string[];
  inheritEnv?: boolean;
  cwd?: string;
}

/**
 * Declares the flags of a long-running switchboard process (`serve`, `worker`, `adapter`): logging,
 * the shutdown grace and the garbage collector's marking, worded the same in every command's help.
 *
 * @param command - the command
 * @returns the same command
 */
export function addProcessOptions(command: Command): Command {
  return command
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent (default info)')
    .option('--log-format <format>', 'json | pretty (default: pretty on a terminal)')
    .option('--shutdown-grace <duration>', 'how long in-flight requests may finish on shutdown (default 10s)')
    .option(
      '--gc <marking>',
      'V8 old-generation marking: auto (default: one pause while the heap is small), atomic or incremental',
    );
}

/**
 * Declares the flags of a supervised stdio backend (its restarts, environment and working directory).
 *
 * @param command - the command
 * @returns the same command
 */
export function addStdioChildOptions(command: Command): Command {
  return command
    .option('--restart-max <n>', 'stop restarting a backend after this many fast failures (default 5)')
    .option('--env <NAME=value>', 'environment variable for a stdio backend, repeatable', collect)
    .option('--inherit-env', 'pass our whole environment to a stdio backend (default: HOME, PATH, … only)')
    .option('--cwd <dir>', 'working directory of a stdio backend');
}
