/**
 * Readiness means "backends can be started": one session's crash loop does not flip it, a backend that
 * cannot come up does, and a restarted backend whose re-initialize fails is not ready (it is restarted
 * as a failed start, and given up on).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Proxy } from '../../src/proxy/proxy.js';
import type { BackendEvent } from '../../src/proxy/supervised-backend.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { clientVia, eventually, rawBackendProxy, textOf } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

// Answers initialize the first time it runs (a marker file remembers), refuses it on every later run;
// exits on any tools/call.
const REFUSES_REINIT = `
const fs = require('node:fs');
const marker = process.argv[1];
const first = !fs.existsSync(marker);
fs.writeFileSync(marker, 'x');
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.id === undefined) return;
  if (m.method === 'initialize') {
    if (first) out({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'once', version: '1' } } });
    else out({ jsonrpc: '2.0', id: m.id, error: { code: -32603, message: 'cannot initialize twice' } });
  } else if (m.method === 'tools/call') process.exit(1);
  else out({ jsonrpc: '2.0', id: m.id, result: {} });
});`;

describe('readiness', () => {
  it('shared mode: a restarted backend whose re-initialize fails is not ready: restarted as a failed start, then given up', async () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-reinit-')), 'started');
    const events: BackendEvent[] = [];
    const proxy = new Proxy({
      connectBackend: () =>
        new StdioClientTransport({
          command: process.execPath,
          args: ['-e', REFUSES_REINIT, marker],
          stderr: 'pipe',
        }),
      sessionMode: 'shared',
      restart: { initialDelayMs: 10, maxDelayMs: 50, maxFastFailures: 3 },
      onEvent: (e) => {
        if (e.type === 'backend') events.push(e.event);
      },
    });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    const client = await clientVia(proxy);
    cleanup.push(() => client.close());
    expect(proxy.ready).toBe(true);
    await expect(client.callTool({ name: 'anything', arguments: {} })).rejects.toThrow(/backend exited/);
    await eventually(() => events.some((e) => e.type === 'gave-up'), 20_000);
    expect(proxy.ready).toBe(false);
    // Only the first backend ever counted as started; every restart was a failed start.
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'exited' && !e.wasReady).length).toBeGreaterThanOrEqual(2);
    await expect(client.listTools()).rejects.toThrow(/Backend unavailable: it failed 3 times in a row/);
  }, 30_000);

  it("per-session mode: one session's crash loop does not make the proxy unready for everyone", async () => {
    let gaveUp = 0;
    let started = 0;
    const { proxy } = rawBackendProxy({
      restart: { initialDelayMs: 10, maxDelayMs: 50, maxFastFailures: 3 },
      onEvent: (e) => {
        if (e.type === 'backend' && e.event.type === 'gave-up') gaveUp++;
        if (e.type === 'backend' && e.event.type === 'started') started++;
      },
    });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    const crashing = await clientVia(proxy);
    cleanup.push(() => crashing.close());
    // Its backend starts fine every time (and is re-initialized), then dies: three fast failures.
    for (let i = 1; i <= 3; i++) {
      await eventually(() => started === i, 20_000);
      process.kill(Number(textOf(await crashing.callTool({ name: 'whoami' }))), 'SIGKILL');
    }
    await eventually(() => gaveUp === 1, 20_000);
    // That session's backend is gone for good, but backends still start: ready, and others are served.
    expect(proxy.ready).toBe(true);
    const other = await clientVia(proxy);
    cleanup.push(() => other.close());
    expect(textOf(await other.callTool({ name: 'echo', arguments: { ok: 1 } }))).toBe('{"ok":1}');
  }, 30_000);

  it('a backend that cannot start at all makes the proxy unready; any later successful start makes it ready', async () => {
    let broken = true;
    const proxy = new Proxy({
      connectBackend: () =>
        broken
          ? new StdioClientTransport({
              command: process.execPath,
              args: ['-e', 'process.exit(2)'],
              stderr: 'pipe',
            })
          : new StdioClientTransport({
              command: process.execPath,
              args: [new URL('../fixtures/raw-backend.mjs', import.meta.url).pathname],
              stderr: 'pipe',
            }),
      restart: { initialDelayMs: 10, maxDelayMs: 50, maxFastFailures: 3 },
    });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    // Each session whose backend never comes up is one failed start; three in a row: not ready.
    for (let i = 0; i < 3; i++) {
      expect(proxy.ready).toBe(true);
      await expect(clientVia(proxy)).rejects.toThrow(/backend exited/);
    }
    await eventually(() => !proxy.ready);
    broken = false;
    const client = await clientVia(proxy);
    cleanup.push(() => client.close());
    expect(proxy.ready).toBe(true);
  }, 30_000);
});
