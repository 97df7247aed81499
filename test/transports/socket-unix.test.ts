import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, listen } from '../../src/endpoint/registry.js';
import type { Listener } from '../../src/listener.js';
import { checkSocketPath } from '../../src/security/socket-path.js';
import { SocketTransport } from '../../src/transports/socket-transport.js';
import { tmpSocketPath } from './socket-pairs.js';

const listeners: Listener[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  await Promise.allSettled(listeners.splice(0).map((l) => l.close({ graceMs: 100 })));
  for (const c of cleanups.splice(0)) await c();
});

const noop = (): void => undefined;
const mode = (p: string): number => lstatSync(p).mode & 0o777;

/** A plain net server on `p` that the test removes afterwards. */
async function foreignListener(p: string): Promise<net.Server> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(p, r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return server;
}

describe('unix socket listener', () => {
  it('creates the socket file with mode 0600 by default and removes it on close', async () => {
    const p = tmpSocketPath();
    const listener = await listen(`unix://${p}`, { onConnection: noop });
    expect(listener.url).toBe(`unix://${p}`);
    expect(lstatSync(p).isSocket()).toBe(true);
    expect(mode(p)).toBe(0o600);
    await listener.close();
    expect(existsSync(p)).toBe(false);
  });

  it('applies a configured mode', async () => {
    const p = tmpSocketPath();
    listeners.push(await listen(`unix://${p}`, { unix: { mode: 0o660 }, onConnection: noop }));
    expect(mode(p)).toBe(0o660);
  });

  it('refuses to start on an existing path that is not a socket, and leaves it alone', async () => {
    const p = tmpSocketPath();
    writeFileSync(p, 'precious');
    cleanups.push(() => rmSync(p, { force: true }));
    await expect(listen(`unix://${p}`, { onConnection: noop })).rejects.toMatchObject({
      code: 'UNSAFE_SOCKET_PATH',
    });
    expect(lstatSync(p).isFile()).toBe(true);
  });

  it('replaces a stale socket file (its process was killed and nothing listens on it)', async () => {
    const p = tmpSocketPath();
    // A process killed with SIGKILL never unlinks its socket: the file stays, nobody listens.
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", p],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(lstatSync(p).isSocket()).toBe(true);

    const listener = await listen(`unix://${p}`, { onConnection: (t) => void t.close() });
    listeners.push(listener);
    const client = connect(listener.url);
    await client.start();
    await client.close();
  });

  it('refuses to steal a socket another process listens on', async () => {
    const p = tmpSocketPath();
    await foreignListener(p);
    await expect(listen(`unix://${p}`, { onConnection: noop })).rejects.toMatchObject({
      code: 'LISTEN_FAILED',
      details: { systemCode: 'EADDRINUSE' },
    });
    expect(lstatSync(p).isSocket()).toBe(true);
  });
});

describe('unix socket paths', () => {
  it('rejects unix:relative URIs with a coded error', () => {
    expect(() => connect('unix:mcp.sock')).toThrow(
      expect.objectContaining({
        code: 'UNSAFE_SOCKET_PATH',
        message: expect.stringMatching(/absolute path/) as string,
      }) as Error,
    );
  });

  it('rejects traversal even though URL parsing would resolve it', async () => {
    expect(() => connect('unix:///tmp/../etc/mcp.sock')).toThrow(
      expect.objectContaining({ code: 'UNSAFE_SOCKET_PATH' }) as Error,
    );
    expect(() => connect('unix:///tmp/%2e%2e/etc/mcp.sock')).toThrow(
      expect.objectContaining({ code: 'UNSAFE_SOCKET_PATH' }) as Error,
    );
    await expect(listen('unix:///tmp/../x.sock', { onConnection: noop })).rejects.toMatchObject({
      code: 'UNSAFE_SOCKET_PATH',
    });
  });

  it('rejects a host part, and accepts the single-slash form', () => {
    expect(() => connect('unix://host/tmp/x.sock')).toThrow(
      expect.objectContaining({ code: 'INVALID_URI' }) as Error,
    );
    expect(() => connect('unix:/tmp/x.sock')).not.toThrow();
  });

  it('allows relative paths only when asked, resolved against the working directory', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-rel-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const rel = path.relative(process.cwd(), path.join(dir, 'r.sock'));
    expect(rel.startsWith('..')).toBe(true);
    const listener = await listen(`unix:${rel}`, {
      unix: { allowRelativePath: true },
      onConnection: (t) => void t.close(),
    });
    listeners.push(listener);
    expect(listener.url).toBe(`unix://${path.join(dir, 'r.sock')}`);
    const client = connect(`unix:${rel}`, { socket: { allowRelativePath: true } });
    await client.start();
    await client.close();
  });

  it('checkSocketPath refuses relative, traversal, NUL and over-long paths', () => {
    expect(checkSocketPath('/run/mcp.sock')).toBe('/run/mcp.sock');
    for (const bad of [
      'mcp.sock',
      './mcp.sock',
      '/tmp/../mcp.sock',
      '/tmp/a\0b',
      `/tmp/${'x'.repeat(200)}`,
      '',
    ]) {
      expect(() => checkSocketPath(bad)).toThrow(
        expect.objectContaining({ code: 'UNSAFE_SOCKET_PATH' }) as Error,
      );
    }
    expect(checkSocketPath('mcp.sock', { allowRelative: true })).toBe(path.resolve('mcp.sock'));
  });

  it('connect to a path nobody listens on fails with CONNECTION_FAILED', async () => {
    const t = new SocketTransport({ target: { kind: 'unix', path: tmpSocketPath() } });
    await expect(t.start()).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
      details: { systemCode: 'ENOENT' },
    });
  });
});
