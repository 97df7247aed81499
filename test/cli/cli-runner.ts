import { spawn } from 'node:child_process';
import { projectFile } from '../fixtures/paths.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CLI = projectFile('src/cli.ts');

/**
 * Runs `switchboard <args>` as a child process (through tsx), with stdout/stderr as pipes (not TTYs).
 * Killed after `timeoutMs` (default 30 s).
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  delete env.FORCE_COLOR;
  if (options.env?.FORCE_COLOR !== undefined) env.FORCE_COLOR = options.env.FORCE_COLOR;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
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

/** The command line of a server run through tsx (for after `--`). */
export const tsxServer = (file: string, ...args: string[]): string[] => [
  process.execPath,
  '--import',
  'tsx',
  projectFile(file),
  ...args,
];

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
