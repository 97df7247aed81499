import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { SwitchboardError } from '../errors.js';
import { childEnvironment } from './child-env.js';
import { guardHandler } from './handler-guard.js';
import { LineSplitter } from './line-splitter.js';
import { PROCESS_GROUPS, signalTree, treeAlive, waitForExit, waitForTreeGone } from './process-group.js';
import { StreamTransport, type StreamPair, type StreamTransportOptions } from './stream-transport.js';

/** What to do with the child's stderr. */
export type StderrMode = 'inherit' | 'pipe' | 'ignore';

/** Options of {@link StdioClientTransport}. */
export interface StdioClientOptions extends StreamTransportOptions {
  /** Executable to run (looked up in `PATH`; never through a shell). */
  command: string;
  /** Arguments, passed literally. */
  args?: readonly string[] | undefined;
  /** Variables set for the child, on top of the minimal inherited set. */
  env?: Record<string, string> | undefined;
  /** Pass this process's whole environment instead of the minimal set (default false). */
  inheritEnv?: boolean | undefined;
  /** Working directory of the child. */
  cwd?: string | undefined;
  /** `inherit` (default), `pipe` (read lines through `onstderr` / the `stderr` stream) or `ignore`. */
  stderr?: StderrMode | undefined;
  /** Each close phase (stdin EOF → SIGTERM → SIGKILL) waits this long, in ms (default 2000). */
  closeTimeoutMs?: number | undefined;
  /** How many recent stderr lines are kept for error reports (default 20; only with `stderr: 'pipe'`). */
  stderrTailLines?: number | undefined;
}

// After the child exits, wait this long for the rest of its stdout before reporting the close.
const EXIT_FLUSH_MS = 50;

/**
 * Spawns an MCP server as a child process and talks to it over its stdin/stdout (NDJSON).
 *
 * - `shell: false` always: arguments are never interpreted by a shell.
 * - The child gets its own process group; `close()` ends stdin, waits, then sends SIGTERM and finally
 *   SIGKILL to the *whole group*, so grandchildren do not outlive it.
 * - If the child exits on its own, `onerror` gets a `CHILD_EXITED` error (exit code, signal, last stderr
 *   lines), `onclose` fires, pending SDK requests fail at once, and later sends reject.
 *
 * @example
 * ```ts
 * const transport = new StdioClientTransport({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] });
 * await new Client({ name: 'me', version: '1.0.0' }).connect(transport);
 * ```
 */
export class StdioClientTransport extends StreamTransport {
  /** Receives each stderr line of the child (with `stderr: 'pipe'`). */
  onstderr?: ((line: string) => void) | undefined;

  readonly #options: StdioClientOptions;
  #child: ChildProcess | undefined;
  #stderrTail: string[] = [];
  #closingByUs = false;
  #exitTimer: NodeJS.Timeout | undefined;

  /** @param options - command, args, env, cwd, stderr mode, limits */
  constructor(options: StdioClientOptions) {
    super(options);
    if (typeof options.command !== 'string' || options.command.length === 0) {
      throw new SwitchboardError('INVALID_OPTIONS', 'StdioClientTransport needs a non-empty command');
    }
    this.#options = options;
  }

  /** The child's pid, once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The child's exit code, once it exited normally. */
  get exitCode(): number | null {
    return this.#child?.exitCode ?? null;
  }

  /** The signal that ended the child, if any. */
  get signalCode(): NodeJS.Signals | null {
    return this.#child?.signalCode ?? null;
  }

  /** The child's raw stderr stream (only with `stderr: 'pipe'`). */
  get stderr(): Readable | null {
    return this.#child?.stderr ?? null;
  }

  /** The most recent stderr lines (only with `stderr: 'pipe'`). */
  get stderrTail(): readonly string[] {
    return this.#stderrTail;
  }

  protected override openStreams(): Promise<StreamPair> {
    const o = this.#options;
    const child = spawn(o.command, [...(o.args ?? [])], {
      cwd: o.cwd,
      env: childEnvironment(o.env, o.inheritEnv ?? false),
      stdio: ['pipe', 'pipe', o.stderr ?? 'inherit'],
      shell: false,
      detached: PROCESS_GROUPS,
      windowsHide: true,
    });
    this.#child = child;
    if (child.stderr) this.#readStderr(child.stderr);
    return new Promise<StreamPair>((resolve, reject) => {
      const onError = (error: Error): void => {
        child.off('spawn', onSpawn);
        reject(
          new SwitchboardError('SPAWN_FAILED', `Cannot start "${o.command}": ${error.message}`, {
            cause: error,
          }),
        );
      };
      const onSpawn = (): void => {
        child.off('error', onError);
        child.on('error', (error) => this.reportError(error));
        child.once(
          'exit',
          guardHandler('child exit handler', this.#onExit, (e) => this.reportError(e)),
        );
        resolve({
          readable: child.stdout as Readable,
          writable: child.stdin as NonNullable<typeof child.stdin>,
        });
      };
      child.once('error', onError);
      child.once('spawn', onSpawn);
    });
  }

  protected override onReadableEnd(): void {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      // stdout ended first: the exit status follows shortly; report it if it comes in time.
      void waitForExit(child, this.#closeTimeout()).then(() => this.#reportExit());
      return;
    }
    this.#reportExit();
  }

  protected override onStreamFailure(error: Error): void {
    // EPIPE on stdin usually means the child died: prefer reporting its exit status.
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      void waitForExit(child, EXIT_FLUSH_MS * 4).then((exited) => {
        if (exited) this.#reportExit();
        else super.onStreamFailure(error);
      });
      return;
    }
    this.#reportExit();
  }

  protected override async teardown(): Promise<void> {
    clearTimeout(this.#exitTimer);
    this.#closingByUs = true;
    const child = this.#child;
    if (!child || child.pid === undefined) return;
    const ms = this.#closeTimeout();
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      if (!(await waitForExit(child, ms))) {
        signalTree(child, 'SIGTERM');
        if (!(await waitForExit(child, ms))) {
          signalTree(child, 'SIGKILL');
          await waitForExit(child, ms);
        }
      }
    }
    // The direct child is gone; make sure nothing it started survives in its group.
    if (PROCESS_GROUPS && treeAlive(child)) {
      signalTree(child, 'SIGTERM');
      if (!(await waitForTreeGone(child, ms))) {
        signalTree(child, 'SIGKILL');
        await waitForTreeGone(child, ms);
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
  }

  #closeTimeout(): number {
    return this.#options.closeTimeoutMs ?? 2000;
  }

  readonly #onExit = (): void => {
    if (this.#closingByUs) return;
    // Give the remaining stdout a moment to be read before the close is reported.
    this.#exitTimer = setTimeout(() => this.#reportExit(), EXIT_FLUSH_MS);
  };

  #reportExit(): void {
    if (this.#closingByUs) return;
    const child = this.#child;
    const exitCode = child?.exitCode ?? null;
    const signal = child?.signalCode ?? null;
    const how =
      signal !== null
        ? `was killed by ${signal}`
        : exitCode !== null
          ? `exited with code ${exitCode}`
          : 'closed its stdout';
    const tail = this.#stderrTail.slice(-5).join(' | ');
    this.peerClosed(
      new SwitchboardError(
        'CHILD_EXITED',
        `MCP server process "${this.#options.command}" ${how}${tail ? `; last stderr: ${tail}` : ''}`,
        { details: { exitCode, signal, stderrTail: [...this.#stderrTail] } },
      ),
    );
  }

  #readStderr(stream: Readable): void {
    const keep = this.#options.stderrTailLines ?? 20;
    const splitter = new LineSplitter((line) => {
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > keep) this.#stderrTail.shift();
      try {
        this.onstderr?.(line);
      } catch (error) {
        this.reportError(error instanceof Error ? error : new Error(String(error)));
      }
    });
    const report = (error: Error): void => this.reportError(error);
    stream.on(
      'data',
      guardHandler('child stderr handler', (chunk: Buffer) => splitter.push(chunk), report),
    );
    stream.on(
      'end',
      guardHandler('child stderr handler', () => splitter.end(), report),
    );
    stream.on('error', () => undefined);
  }
}
