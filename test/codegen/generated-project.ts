import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectFile } from '../fixtures/paths.js';

/** A temporary directory whose node_modules resolve `mcp-switchboard` to this worktree (its dist/). */
export interface ScratchProject {
  dir: string;
  remove(): Promise<void>;
}

/**
 * Creates a scratch directory with `node_modules/mcp-switchboard` linked to this package and the SDK
 * and Node types linked from its node_modules, as a consumer's install would have them.
 */
export async function scratchProject(prefix: string): Promise<ScratchProject> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  // ESM, as the generated packages are.
  await writeFile(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  const modules = path.join(dir, 'node_modules');
  await mkdir(modules);
  await symlink(projectFile('.'), path.join(modules, 'mcp-switchboard'), 'dir');
  for (const scope of ['@modelcontextprotocol', '@types']) {
    await symlink(projectFile(`node_modules/${scope}`), path.join(modules, scope), 'dir');
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a program of test/codegen/programs (`name.ts.txt`) into `dir/programs/name.ts`. */
export async function copyProgram(dir: string, name: string): Promise<void> {
  const text = await readFile(new URL(`./programs/${name}.ts.txt`, import.meta.url), 'utf8');
  await mkdir(path.join(dir, 'programs'), { recursive: true });
  await writeFile(path.join(dir, 'programs', `${name}.ts`), text);
}

/** What a child process printed and how it ended. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Ran> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs this worktree's TypeScript compiler. */
export function tsc(args: readonly string[], cwd: string): Promise<Ran> {
  return run(process.execPath, [projectFile('node_modules/typescript/bin/tsc'), ...args], {
    cwd,
    timeoutMs: 300_000,
  });
}
