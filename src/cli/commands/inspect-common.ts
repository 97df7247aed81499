// Shared plumbing of the commands that talk to one backend (`inspect`, `schema …`): target parsing from
// commander, stable exit codes, output streams/files, colours and the spinner.
import { writeFile } from 'node:fs/promises';
import { type Command, type CommanderError, InvalidArgumentError } from 'commander';
import { createSpinner } from 'nanospinner';
import { SwitchboardError } from '../../errors.js';
import { SsrfGuard } from '../../security/ssrf/guard.js';
import type { Transport } from '../../transport.js';
import { inspectFailureKind } from '../../introspect/client.js';
import { describeFailure, type InspectFailureKind } from '../../introspect/failure.js';
import {
  addBackendTargetOptions,
  describeBackendTarget,
  parseBackendTarget,
  splitOperands,
  type BackendTarget,
  type BackendTargetFlags,
} from '../backend-target.js';

/** Exit codes of `inspect` and `schema` (stable, documented in docs/inspect-schema.md). */
export const InspectExitCode = {
  Ok: 0,
  Usage: 1,
  AuthRequired: 3,
  Unreachable: 4,
  ServerError: 5,
} as const;

const EXIT_OF_FAILURE: Record<InspectFailureKind, number> = {
  usage: InspectExitCode.Usage,
  auth: InspectExitCode.AuthRequired,
  unreachable: InspectExitCode.Unreachable,
  server: InspectExitCode.ServerError,
};

/** A writable terminal-ish stream (process.stdout / process.stderr, or a test double). */
export interface OutputStream {
  write(chunk: string): boolean;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** The process surroundings of a command run; tests pass their own. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
}

/** The real process streams and environment. */
export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Options common to the target commands, as commander hands them over. */
export interface TargetCommandFlags extends BackendTargetFlags {
  timeout?: number | undefined;
  stderr?: string | undefined;
  output?: string | undefined;
  color?: boolean | undefined;
  allowPrivateBackends?: boolean | undefined;
  denyLoopbackBackends?: boolean | undefined;
}

/**
 * Opens the target through the same SSRF guard as `serve`: a URL on a private, link-local (cloud
 * metadata), CGNAT… address is refused before any socket is opened (unless `--allow-private-backends`),
 * and the connection resolves through the guard (no re-resolution between check and use).
 *
 * @param target - the backend
 * @param options - the parsed flags (guard switches)
 * @param open - opens the vetted target with the guard's connect options
 * @throws SwitchboardError `SSRF_BLOCKED` (exit code 1), `CONNECTION_FAILED` for a name that does not resolve
 */
export async function openGuarded(
  target: BackendTarget,
  options: TargetCommandFlags,
  open: (guard: SsrfGuard) => Transport,
): Promise<Transport> {
  const guard = new SsrfGuard({
    allowPrivate: options.allowPrivateBackends === true,
    allowLoopback: options.denyLoopbackBackends !== true,
  });
  // Created first (nothing is dialled yet): a malformed URI or unknown scheme is reported as such.
  const transport = open(guard);
  if (target.kind === 'uri') {
    try {
      await guard.checkUri(target.uri);
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw error;
    }
  }
  return transport;
}

/**
 * A commander value parser for positive integers, reported as a usage error.
 *
 * @param value - the option's text
 */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/**
 * Makes commander's own parse errors of a command exit with code 1 (the `inspect` usage code) instead
 * of the CLI-wide 2, reported in one line by the CLI's error handler.
 *
 * @param command - the command to set up
 */
export function usageErrorsExitOne(command: Command): Command {
  return command
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      // Parse errors are reported once, by the CLI's error handler, from the error thrown below.
      outputError: () => undefined,
    })
    .exitOverride((error: CommanderError) => {
      if (error.exitCode === 0) throw error; // --help
      const message =
        error.code === 'commander.help'
          ? 'a subcommand is required (see --help)'
          : error.message.replace(/^error: /, '');
      // Not a CommanderError: the CLI main reports it in one line with exit code 1.
      throw new SwitchboardError('INVALID_OPTIONS', `${command.name()}: ${message}`, {
        cause: error,
      });
    });
}

/**
 * Declares the backend flags and the common options (`--timeout`, `--stderr`, `--output`,
 * `--no-color`), with usage errors exiting 1 (see {@link usageErrorsExitOne}).
 *
 * @param command - the command to set up
 */
export function setUpTargetCommand(command: Command): Command {
  return usageErrorsExitOne(
    addBackendTargetOptions(command)
      .option('--timeout <ms>', 'per-request timeout in ms, handshake included', positiveInt, 30_000)
      .option('--stderr <mode>', 'stdio backend stderr: pipe (shown on failure) | inherit | ignore', 'pipe')
      .option('-o, --output <file>', 'write the output to a file instead of stdout')
      .option('--no-color', 'no colours (also NO_COLOR=1)')
      .option('--allow-private-backends', 'let the target URL reach private, link-local, CGNAT… addresses')
      .option('--deny-loopback-backends', 'refuse target URLs on loopback addresses too'),
  );
}

/**
 * Reads the backend target of a target command from its operands and flags.
 *
 * @param operands - the command's variadic operands
 * @param flags - its options
 * @param command - the command (for the raw argv that tells where `--` was)
 * @throws SwitchboardError `INVALID_OPTIONS`
 */
export function targetOf(
  operands: readonly string[],
  flags: BackendTargetFlags,
  command: Command,
): BackendTarget {
  let root: Command = command;
  while (root.parent) root = root.parent;
  // Commander keeps the argv it parsed on the root command (not in its typings).
  const rawArgs = (root as unknown as { rawArgs?: unknown }).rawArgs;
  const split = Array.isArray(rawArgs)
    ? splitOperands(operands, rawArgs as string[], command.name())
    : { positional: [...operands], command: [] };
  return parseBackendTarget({ ...split, flags });
}

/**
 * The `{ kind, description }` of a target, as reports name it.
 *
 * @param target - the target
 */
export function targetSummary(target: BackendTarget): { kind: string; description: string } {
  return {
    kind: target.kind === 'stdio' ? 'stdio' : target.transport,
    description: describeBackendTarget(target),
  };
}

/**
 * Whether to colour output on a stream: a TTY, no `NO_COLOR`, no `--no-color`; `FORCE_COLOR` wins.
 *
 * @param stream - where the output goes
 * @param io - the environment
 * @param flag - the `--color` flag (false with `--no-color`)
 */
export function useColor(stream: OutputStream, io: CliIo, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const MIN_SPINNER_COLUMNS = 20;

/** A spinner on stderr, or nothing when stderr is not a colour-capable terminal. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

/**
 * Starts a spinner on stderr when it is a terminal and colours are allowed; otherwise a no-op.
 *
 * @param io - the streams and environment
 * @param flag - the `--color` flag
 * @param text - the first text
 */
export function startProgress(io: CliIo, flag: boolean | undefined, text: string): Progress {
  // nanospinner divides by the terminal width: a pty that reports 0 columns would make it clear
  // "infinitely many" lines. Narrow or unknown terminals get no spinner.
  const columns = process.stderr.columns;
  if (
    !useColor(io.stderr, io, flag) ||
    io.stderr.isTTY !== true ||
    io.stderr !== process.stderr ||
    !(columns >= MIN_SPINNER_COLUMNS)
  ) {
    return { update: () => undefined, stop: () => undefined };
  }
  const fit = (s: string): string => (s.length > columns - 4 ? s.slice(0, columns - 4) : s);
  const spinner = createSpinner(fit(text), { stream: process.stderr }).start();
  return {
    update: (next) => void spinner.update({ text: fit(next) }),
    stop: () => void spinner.clear().stop(),
  };
}

/**
 * Writes a command's output to `--output FILE` or stdout.
 *
 * @param text - the output
 * @param file - the `--output` path, if any
 * @param io - the streams
 */
export async function emit(text: string, file: string | undefined, io: CliIo): Promise<void> {
  if (file === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFile(file, text);
  } catch (cause) {
    throw new SwitchboardError('INVALID_OPTIONS', `cannot write ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * Reports a failure in one line on stderr and returns its exit code.
 *
 * @param error - what was thrown
 * @param commandName - e.g. `inspect`
 * @param io - the streams
 */
export function reportFailure(error: unknown, commandName: string, io: CliIo): number {
  const kind = inspectFailureKind(error);
  const hint =
    kind === 'auth'
      ? ' — the server requires authorization: pass --auth-token TOKEN or --header "Name: value"'
      : '';
  io.stderr.write(`switchboard ${commandName}: ${describeFailure(error)}${hint}\n`);
  return EXIT_OF_FAILURE[kind];
}
