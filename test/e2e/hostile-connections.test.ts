/**
 * 1,000 hostile connections against one `serve` (dist/cli.js, built-in demo backend) — silent ones,
 * slowloris ones dribbling a message a byte at a time, and ones holding large partial messages (more
 * than the default 256 MiB buffer budget in total) — do not stop a well-behaved client from completing
 * 100 calls. Peak RSS of serve is reported.
 *
 * `--max-sessions 1100`: with the default of 1000, the hostile connections alone would fill the session
 * table and the polite client would be refused for that reason; per-client caps are a separate concern.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { startServe } from './processes.js';

const SILENT = 400;
const SLOWLORIS = 300;
const PARTIAL = 300;
const PARTIAL_BYTES = 1024 * 1024;

let serve: Awaited<ReturnType<typeof startServe>>;
const hostile: net.Socket[] = [];

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

async function open(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  hostile.push(socket);
  return socket;
}

beforeAll(async () => {
  serve = await startServe(['--listen', 'tcp://127.0.0.1:0', '--max-sessions', '1100']);
}, 60_000);

afterAll(async () => {
  for (const s of hostile) s.destroy();
  await serve?.stop();
});

describe('1,000 hostile connections', () => {
  it('do not stop a well-behaved client from completing 100 calls', async () => {
    const pid = serve.proc.pid as number;
    const port = Number(new URL(serve.urls[0] as string).port);
    let peak = rssMb(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
    const dribble: net.Socket[] = [];
    const slowloris = setInterval(() => {
      for (const s of dribble) if (!s.destroyed) s.write('x');
    }, 1_000);
    try {
      const baseline = rssMb(pid);
      for (let i = 0; i < SILENT; i++) await open(port);
      for (let i = 0; i < SLOWLORIS; i++) {
        const s = await open(port);
        s.write(`{"jsonrpc":"2.0","id":"slow-${i}","method":"ping","params":{"x":"`);
        dribble.push(s);
      }
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const head = (i: number): string => `{"jsonrpc":"2.0","id":"big-${i}","method":"ping","params":{"x":"`;
      const refused: Promise<boolean>[] = [];
      for (let i = 0; i < PARTIAL; i++) {
        const s = await open(port);
        // Reads (and drops) what it is sent, so it sees the server end the connection.
        s.resume();
        refused.push(new Promise<boolean>((resolve) => s.once('close', () => resolve(true))));
        s.write(head(i));
        for (let sent = 0; sent < PARTIAL_BYTES; sent += chunk.length) {
          if (!s.write(chunk))
            await new Promise<void>((r) => (s.destroyed ? r() : s.once('drain', () => r())));
          if (s.destroyed) break;
        }
      }

      const client = new Client({ name: 'polite', version: '1' });
      const started = Date.now();
      await client.connect(connect(serve.urls[0] as string));
      for (let i = 0; i < 100; i++) {
        const result = await client.callTool(
          { name: 'echo', arguments: { message: `call ${i}` } },
          undefined,
          {
            timeout: 60_000,
          },
        );
        expect(result.content).toEqual([{ type: 'text', text: `call ${i}` }]);
      }
      const ms = Date.now() - started;
      await client.close();
      const closedByBudget = (
        await Promise.all(refused.map((p) => Promise.race([p, Promise.resolve(false)])))
      ).filter(Boolean).length;
      console.error(
        `hostile: ${SILENT} silent, ${SLOWLORIS} slowloris, ${PARTIAL} × ${PARTIAL_BYTES / 1024} KiB partial ` +
          `(${closedByBudget} partial ones refused by the buffer budget); 100 calls in ${ms} ms; ` +
          `serve RSS ${baseline.toFixed(0)} → peak ${Math.max(peak, rssMb(pid)).toFixed(0)} MB`,
      );
      expect(serve.proc.exitCode).toBeNull();
      // The budget (256 MiB by default) cannot hold 300 MiB of partial messages: some were refused.
      expect(closedByBudget).toBeGreaterThan(0);
    } finally {
      clearInterval(sampler);
      clearInterval(slowloris);
    }
  }, 300_000);
});
