import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { SwitchboardError } from '../errors.js';
import { codeLoadingArgument } from './interpreter-flags.js';

/** Options of {@link CommandPolicy}. */
export interface CommandPolicyOptions {
  /** Executables that may be spawned: names (looked up in `PATH`) or paths. Empty = any command. */
  allow?: readonly string[] | undefined;
  /**
   * Every argument must match this pattern in full (e.g. `[\w./:@-]+` — no `=`). Default: any argument.
   * A pattern cannot keep interpreter flags out on its own: with a policy configured, the code-loading
   * flags of known interpreters are refused whatever the pattern says (see {@link allowFlags}).
   */
  argPattern?: string | RegExp | undefined;
  /**
   * Code-loading interpreter flags allowed by exact name (`--inspect`, `-m`, …; `-` for a program read
   * from stdin). Without a policy (no `allow`, no `argPattern`) no flag is checked.
   */
  allowFlags?: readonly string[] | undefined;
  /** `PATH` to search (default `process.env.PATH`). */
  pathEnv?: string | undefined;
  /** Working directory for relative command paths (default `process.cwd()`). */
  cwd?: string | undefined;
}

/** A command the policy admitted. */
export interface AdmittedCommand {
  /** The absolute path to spawn (so a later `PATH` change cannot swap the binary). */
  executable: string;
  args: readonly string[];
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where an executable is: the absolute path found, and its real path (symlinks resolved). */
export interface ResolvedExecutable {
  /** The absolute path (spawned: multi-call binaries still see the name they were invoked by). */
  path: string;
  /** The real path (compared against the allow-list, so a symlink cannot alias a refused binary). */
  real: string;
}

/**
 * Finds an executable: a name is looked up in `PATH` like `execvp` does, a path is resolved against
 * `cwd`. `undefined` when nothing executable is found.
 *
 * @param command - `node`, `./server.py`, `/usr/bin/python3`
 */
export function resolveExecutable(
  command: string,
  pathEnv = process.env.PATH ?? '',
  cwd = process.cwd(),
): ResolvedExecutable | undefined {
  const candidates =
    command.includes('/') || command.includes(path.sep)
      ? [path.resolve(cwd, command)]
      : pathEnv
          .split(path.delimiter)
          .filter((dir) => dir !== '')
          .map((dir) => path.resolve(cwd, dir, command));
  for (const candidate of candidates) {
    if (isExecutableFile(candidate)) return { path: candidate, real: realpathSync(candidate) };
  }
  return undefined;
}

/**
 * Which stdio backends may be spawned: an allow-list of executables compared by their resolved absolute
 * path, and an optional pattern every argument must match. Arguments are passed to the child literally
 * (`shell: false`), so `; rm -rf /` or `$(id)` is one inert argument — the pattern is for policies that
 * want to refuse such arguments outright. With either configured, the flags through which a known
 * interpreter runs code from its command line (`node --require`, `--inspect`, `python -c`, `sh -c`, a
 * program read from stdin, …) are refused unless allowed by exact name (`allowFlags`), whatever the
 * pattern admits.
 *
 * @example
 * ```ts
 * const policy = new CommandPolicy({ allow: ['node', '/opt/mcp/bin/server'] });
 * const { executable } = policy.check('node', ['server.js']); // '/usr/bin/node'
 * policy.check('bash', ['-c', 'id']);                          // throws COMMAND_REFUSED
 * ```
 */
export class CommandPolicy {
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #argPattern: RegExp | undefined;
  readonly #allowFlags: ReadonlySet<string>;
  readonly #pathEnv: string;
  readonly #cwd: string;

  /**
   * @param options - allow-list (resolved now), argument pattern, `PATH`
   * @throws SwitchboardError `INVALID_OPTIONS` for an allow-list entry that names no executable, or a bad pattern
   */
  constructor(options: CommandPolicyOptions = {}) {
    this.#pathEnv = options.pathEnv ?? process.env.PATH ?? '';
    this.#cwd = options.cwd ?? process.cwd();
    this.#allowFlags = new Set(options.allowFlags ?? []);
    if (options.allow !== undefined && options.allow.length > 0) {
      this.#allowed = new Set(
        options.allow.map((entry) => {
          const resolved = resolveExecutable(entry, this.#pathEnv, this.#cwd);
          if (resolved === undefined) {
            throw new SwitchboardError('INVALID_OPTIONS', `--allow-command "${entry}": no such executable`);
          }
          return resolved.real;
        }),
      );
    }
    const pattern = options.argPattern;
    try {
      this.#argPattern =
        pattern === undefined
          ? undefined
          : new RegExp(`^(?:${typeof pattern === 'string' ? pattern : pattern.source})$`, 'u');
    } catch (cause) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `--allow-args "${String(pattern)}" is not a valid pattern`,
        { cause },
      );
    }
  }

  /** `true` when an allow-list or an argument pattern is configured (interpreter flags are checked). */
  get restricted(): boolean {
    return this.#allowed !== undefined || this.#argPattern !== undefined;
  }

  /**
   * Admits a command line or refuses it.
   *
   * @returns the absolute executable path to spawn, and the arguments unchanged
   * @throws SwitchboardError `COMMAND_REFUSED` naming the command (or the argument index) refused
   */
  check(command: string, args: readonly string[] = []): AdmittedCommand {
    const executable = resolveExecutable(command, this.#pathEnv, this.#cwd);
    if (this.#allowed !== undefined && (executable === undefined || !this.#allowed.has(executable.real))) {
      throw new SwitchboardError(
        'COMMAND_REFUSED',
        `Command "${command}"${executable ? ` (${executable.real})` : ' (not found)'} is not on the allow-list (--allow-command)`,
        { details: { command } },
      );
    }
    if (this.#argPattern !== undefined) {
      const bad = args.findIndex((a) => !this.#argPattern?.test(a));
      if (bad !== -1) {
        throw new SwitchboardError(
          'COMMAND_REFUSED',
          `Argument ${bad + 1} of "${command}" does not match --allow-args`,
          {
            details: { command, argument: bad + 1 },
          },
        );
      }
    }
    if (this.restricted) {
      const names = executable ? [command, executable.path, executable.real] : [command];
      const found = codeLoadingArgument(names, args, this.#allowFlags);
      if (found !== undefined) {
        const where =
          found.index < args.length ? `Argument ${found.index + 1} ("${found.flag}")` : 'The command line';
        throw new SwitchboardError(
          'COMMAND_REFUSED',
          `${where} of "${command}" refused (${found.interpreter}: ${found.reason}); allow it by exact name with --allow-flag ${found.flag}`,
          { details: { command, argument: found.index + 1, flag: found.flag } },
        );
      }
    }
    return { executable: executable?.path ?? command, args: [...args] };
  }
}
