// What `serve` loads to start: a stdio proxy must not pay at startup for libraries only some
// configurations use (each costs tens of ms; undici and the SDK's server over 100 ms on a small machine).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../e2e/processes.js';
import { startRedis } from '../fixtures/redis-server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `serve --listen stdio: <args>` until it answered `initialize` and exits; returns the packages
 * it resolved, through `import` (a resolve hook) or `require()` (lazy-modules.ts loads with
 * `createRequire`, which module hooks do not see on Node 20).
 */
async function packagesLoadedBy(args: string[]): Promise<string[]> {
  return packagesLoadedUntil(['serve', '--listen', 'stdio:', '--log-format', 'json', ...args], 'answered');
}

/**
 * Runs the CLI with `args` until it answered `initialize` on stdout (`answered`) or logged that it is
 * serving (`serving`, for a pool worker), and returns the packages it resolved by then.
 */
async function packagesLoadedUntil(args: string[], ready: 'answered' | 'serving'): Promise<string[]> {
  const log = path.join(dir, `loaded-${Date.now()}.txt`);
  const hooks = path.join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) appendFileSync(${JSON.stringify(log)}, m[1] + '\\n');
  return r;
}
`,
  );
  const requireHook = path.join(dir, 'require-hook.cjs');
  writeFileSync(
    requireHook,
    `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolve.apply(this, args);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
  if (m) appendFileSync(${JSON.stringify(log)}, m[1] + '\\n');
  return file;
};
`,
  );
  const register = path.join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--require', requireHook, '--import', register, CLI, ...args], {
    stdio: ['pipe', 'pipe', ready === 'serving' ? 'pipe' : 'ignore'],
  });
  const answered = new Promise<void>((resolve, reject) => {
    let out = '';
    const watched = ready === 'serving' ? child.stderr : child.stdout;
    watched?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready === 'serving' ? '"msg":"serving"' : '"id":1')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`${args[0]} exited (${code}) before it was ready: ${out}`)),
    );
  });
  if (ready === 'answered') {
    child.stdin?.write(
      `${JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      })}\n`,
    );
  }
  try {
    await answered;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null && child.signalCode === null) {
      if (ready === 'answered') child.stdin?.end();
      else child.kill('SIGTERM');
      await exited;
    }
  }
  return [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].sort();
}

const ECHO = path.resolve('bench/src/servers/raw-echo-stdio.js');

describe('serve startup', () => {
  it('a stdio proxy loads no HTTP or WebSocket client, Redis client, YAML parser, pretty printer, SDK server, JWT library, Prometheus client or OpenTelemetry API', async () => {
    const loaded = await packagesLoadedBy(['--', process.execPath, ECHO]);
    // It does load what it uses (the check can fail both ways).
    expect(loaded).toEqual(expect.arrayContaining(['pino', 'zod']));
    for (const lazy of [
      'undici',
      'ws',
      '@redis/client',
      'yaml',
      'pino-pretty',
      '@modelcontextprotocol/sdk',
      'jose',
      'prom-client',
      '@opentelemetry/api',
    ]) {
      expect(loaded).not.toContain(lazy);
    }
  });

  it('cockatiel waits for a retry, a restart or a circuit breaker sample', async () => {
    // The breaker (on by default) samples the first answer; without it nothing needs cockatiel.
    const loaded = await packagesLoadedBy(['--no-breaker', '--', process.execPath, ECHO]);
    expect(loaded).toContain('pino');
    expect(loaded).not.toContain('cockatiel');
  });

  it('a pool worker loads no Prometheus client or OpenTelemetry API before its metrics are read', async () => {
    const redis = await startRedis();
    try {
      const loaded = await packagesLoadedUntil(
        [
          'worker',
          '--queue',
          `${redis.url}?stream=startup`,
          '--log-format',
          'json',
          '--',
          process.execPath,
          ECHO,
        ],
        'serving',
      );
      expect(loaded).toContain('@redis/client');
      expect(loaded).not.toContain('prom-client');
      expect(loaded).not.toContain('@opentelemetry/api');
    } finally {
      await redis.stop();
    }
  });

  it('the built-in demo server still loads its SDK server when it is the backend', async () => {
    const loaded = await packagesLoadedBy([]);
    expect(loaded).toContain('@modelcontextprotocol/sdk');
  });
});
