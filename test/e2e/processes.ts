import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll } from 'vitest';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { fixture, projectFile } from '../fixtures/paths.js';

export const CLI = projectFile('dist/cli.js');
export const EVERYTHING = projectFile('node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/** A child process the test started; `stop()` ends it (SIGTERM, then SIGKILL) and waits. */
export interface Started {
  proc: ChildProcess;
  stderr: string[];
  stop: () => Promise<void>;
}

function track(proc: ChildProcess): Started {
  const stderr: string[] = [];
  let buffered = '';
  proc.stderr?.on('data', (c: Buffer) => {
    buffered += c.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    stderr.push(...lines);
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  return {
    proc,
    stderr,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Stops that overlap the tests after them: call it at a file's top level; each call of the function it
 * returns starts a stop (or any cleanup) without waiting for it, and the file waits for all of them at
 * its end. For a group whose processes take a while to exit when the next group needs none of them gone.
 */
export function stopsInBackground(): (stop: Promise<unknown>) => void {
  const stopping: Promise<unknown>[] = [];
  afterAll(async () => {
    await Promise.all(stopping);
  });
  return (stop) => void stopping.push(stop);
}

/** A free loopback port (bound and released; the small race is acceptable in tests). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(s: Started, pattern: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    for (const line of s.stderr) {
      const m = pattern.exec(line);
      if (m) return m;
    }
    if (s.proc.exitCode !== null)
      throw new Error(`${what} exited (${s.proc.exitCode}): ${s.stderr.slice(-5).join(' | ')}`);
    if (Date.now() > deadline)
      throw new Error(`${what} not ready after ${ms} ms: ${s.stderr.slice(-5).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts server-everything in `sse` or `streamableHttp` mode on a loopback port; returns its base URL. */
export async function startEverything(mode: 'sse' | 'streamableHttp'): Promise<Started & { url: string }> {
  const port = await freePort();
  const s = track(
    spawn(process.execPath, ['--import', fixture('loopback-only.mjs'), EVERYTHING, mode], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  await waitFor(s, /(running|listening) on port/i, 20_000, `server-everything ${mode}`);
  return { ...s, url: `http://127.0.0.1:${port}` };
}

/** Runs `switchboard serve …args` (with extra `env`) and waits until every frontend listens; returns their URLs. */
export async function startServe(
  args: string[],
  env?: Record<string, string>,
): Promise<Started & { urls: string[] }> {
  const s = track(
    spawn(process.execPath, [CLI, 'serve', ...args, '--log-format', 'json'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(env ? { env: { ...process.env, ...env } } : {}),
    }),
  );
  await waitFor(s, /"msg":"serving"/, 60_000, 'switchboard serve');
  const urls = s.stderr
    .filter((l) => l.includes('"msg":"listening"'))
    .map((l) => (JSON.parse(l) as { url: string }).url);
  return { ...s, urls };
}

/** `--listen` flags for the network frontends the e2e suites serve together: tcp, unix (in `dir`), ws, http. */
export function networkFrontendFlags(dir: string): string[] {
  return [
    'tcp://127.0.0.1:0',
    `unix://${path.join(dir, 'front.sock')}`,
    'ws://127.0.0.1:0/mcp',
    'http://127.0.0.1:0/mcp',
  ].flatMap((uri) => ['--listen', uri]);
}

/**
 * A client transport that runs `switchboard serve <backend> --listen stdio:` as its child: the stdio
 * frontend. `backendArgs` is a URI, or `--` followed by a command (flags go before it).
 */
export function serveOverStdio(backendArgs: string[]): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', '--listen', 'stdio:', '--log-level', 'warn', ...backendArgs],
    stderr: 'pipe',
  });
}
