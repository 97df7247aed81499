// A burst of clients connecting while the listener's event loop is busy: the kernel completes their
// handshakes into the listen backlog, and none is dropped as long as the burst fits in it. Node's default
// backlog (511) dropped the rest, which clients saw as ECONNRESET or as a connect stuck in SYN retries.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/endpoint/registry.js';
import type { Listener } from '../../src/listener.js';

const BURST = 1_000;

/** The kernel's cap on any listen backlog (net.core.somaxconn). */
function somaxconn(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
  } catch {
    return 4096;
  }
}

// Runs in a child while this process is blocked in execFileSync: nothing accepts meanwhile, so only the
// backlog holds the handshakes. The child opens BURST connections and prints how many completed, once
// all did or after 10 s (a handshake dropped by a full backlog is retried after 1, 3 and 7 s, and would
// be dropped again: this process is still blocked).
const BURST_CLIENT = `
const net = require('node:net');
const [target, count] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
let connected = 0, failed = 0;
const sockets = [];
const done = () => { process.stdout.write(JSON.stringify({ connected, failed })); process.exit(0); };
const timer = setTimeout(done, 10000);
for (let i = 0; i < count; i++) {
  const s = net.connect(target);
  sockets.push(s);
  s.on('connect', () => { if (++connected + failed === count) { clearTimeout(timer); done(); } });
  s.on('error', () => { if (connected + ++failed === count) { clearTimeout(timer); done(); } });
}
`;

function burst(target: { host: string; port: number } | { path: string }): {
  connected: number;
  failed: number;
} {
  const out = execFileSync(process.execPath, ['-e', BURST_CLIENT, JSON.stringify(target), String(BURST)], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out) as { connected: number; failed: number };
}

const listeners: Listener[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(somaxconn() < BURST + 1 || process.platform !== 'linux')(
  `${BURST} connections while the listener is busy`,
  () => {
    it.each([
      ['tcp', 'tcp://127.0.0.1:0'],
      ['http', 'http://127.0.0.1:0/mcp'],
      ['ws', 'ws://127.0.0.1:0/mcp'],
    ])('%s: every handshake completes in the backlog', async (_kind, uri) => {
      const listener = await listen(uri, { onConnection: (t) => void t.close() });
      listeners.push(listener);
      const port = Number(new URL(listener.url).port);
      expect(burst({ host: '127.0.0.1', port })).toEqual({ connected: BURST, failed: 0 });
    });

    it('unix: every connection is queued', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-backlog-'));
      dirs.push(dir);
      const socketPath = path.join(dir, 's.sock');
      const listener = await listen(`unix://${socketPath}`, { onConnection: (t) => void t.close() });
      listeners.push(listener);
      expect(burst({ path: socketPath })).toEqual({ connected: BURST, failed: 0 });
    });
  },
);
