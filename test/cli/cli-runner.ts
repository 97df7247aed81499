import { spawn } from 'node:child_process';
import { projectFile } from '../fixtures/paths.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The built CLI (`npm test` builds first), as users run it: a child through tsx costs about twice the CPU.
const CLI = projectFile('dist/cli.js');

/**
 * Runs `switchboard <args>` (the built dist/cli.js) as a child process, with stdout/stderr as pipes (not
 * TTYs). Killed after `timeoutMs` (default 30 s).
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  delete env.FORCE_COLOR;
  if (options.env?.FORCE_COLOR !== undefined) env.FORCE_COLOR = options.env.FORCE_COLOR;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: projectFile('.'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The command line of the built-in demo server (`switchboard demo`, built), for after `--`. */
export const DEMO_SERVER: readonly string[] = [process.execPath, CLI, 'demo'];

/** A fake CLI environment that records what is written. */
export function recordingIo(env: Record<string, string | undefined> = {}): {
  io: {
    stdout: { write(s: string): boolean; isTTY?: boolean };
    stderr: { write(s: string): boolean };
    env: Record<string, string | undefined>;
  };
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: {
        write: (s: string) => {
          out += s;
          return true;
        },
      },
      stderr: {
        write: (s: string) => {
          err += s;
          return true;
        },
      },
      env,
    },
    out: () => out,
    err: () => err,
  };
}
