/**
 * A client that pipelines requests and never reads the answers must not drive `serve`'s memory up: the
 * frontend stops reading from it while its answers are backed up (TCP and WebSocket), and a
 * well-behaved client is served meanwhile. Bounded variant: 200,000 `tools/call` requests of ~1 KiB.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect } from '../../src/endpoint/registry.js';
import { startServe } from './processes.js';

const REQUESTS = 200_000;
/** How long the writer may make no progress before it counts as stalled. */
const STALL_MS = 3_000;
/** Bound on the growth of serve's resident memory while the hostile client writes. */
const MAX_GROWTH_MB = 150;

let serve: Awaited<ReturnType<typeof startServe>>;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

const INIT =
  '{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18",' +
  '"capabilities":{},"clientInfo":{"name":"hostile","version":"1"}}}\n' +
  '{"jsonrpc":"2.0","method":"notifications/initialized"}\n';
const PAD = 'p'.repeat(1024);
const call = (i: number): string =>
  `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"echo","arguments":{"message":"${PAD}"}}}`;

/**
 * Writes `REQUESTS` requests through `write` (which says whether more may be written at once) and
 * `whenWritable`; returns how many were handed over when the writer stalled or finished. Samples RSS.
 */
async function pipeline(
  write: (text: string) => boolean,
  whenWritable: () => Promise<void>,
  pid: number,
): Promise<{ written: number; peakMb: number }> {
  let written = 0;
  let peakMb = 0;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 100);
  try {
    while (written < REQUESTS) {
      let batch = '';
      for (let k = 0; k < 100 && written < REQUESTS; k++) batch += `${call(++written)}\n`;
      if (write(batch)) continue;
      const stalled = await Promise.race([
        whenWritable().then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), STALL_MS)),
      ]);
      if (stalled) break;
    }
  } finally {
    clearInterval(sampler);
  }
  return { written, peakMb: Math.max(peakMb, rssMb(pid)) };
}

async function wellBehaved(uri: string): Promise<void> {
  const client = new Client({ name: 'polite', version: '1' });
  await client.connect(connect(uri));
  for (let i = 0; i < 10; i++) {
    const result = await client.callTool({ name: 'echo', arguments: { message: `hi ${i}` } }, undefined, {
      timeout: 30_000,
    });
    expect(result.content).toEqual([{ type: 'text', text: `hi ${i}` }]);
  }
  await client.close();
}

beforeAll(async () => {
  serve = await startServe(['--listen', 'tcp://127.0.0.1:0', '--listen', 'ws://127.0.0.1:0/mcp']);
  // Warm up both frontends so the baseline includes what a first session loads.
  await wellBehaved(serve.urls[0] as string);
  await wellBehaved(serve.urls[1] as string);
}, 60_000);

afterAll(async () => {
  await serve?.stop();
});

describe('a client that pipelines and never reads', () => {
  it('over TCP: serve stops reading it, memory stays bounded, others are served', async () => {
    const pid = serve.proc.pid as number;
    const baseline = rssMb(pid);
    const url = new URL(serve.urls[0] as string);
    const socket = net.connect(Number(url.port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause(); // never reads
    await new Promise((r) => socket.once('connect', r));
    socket.write(INIT);
    const { written, peakMb } = await pipeline(
      (text) => socket.write(text),
      () => new Promise((r) => socket.once('drain', r)),
      pid,
    );
    await wellBehaved(serve.urls[0] as string);
    socket.destroy();
    console.error(
      `TCP: wrote ${written}/${REQUESTS}, RSS ${baseline.toFixed(0)} → peak ${peakMb.toFixed(0)} MB`,
    );
    expect(written).toBeLessThan(REQUESTS);
    expect(peakMb - baseline).toBeLessThan(MAX_GROWTH_MB);
    expect(serve.proc.exitCode).toBeNull();
  }, 180_000);

  it('over WebSocket: the same', async () => {
    const pid = serve.proc.pid as number;
    const baseline = rssMb(pid);
    const ws = new WebSocket(serve.urls[1] as string, 'mcp');
    ws.on('error', () => undefined);
    await new Promise((r) => ws.once('open', r));
    ws.pause(); // never reads
    ws.send(INIT.split('\n')[0] as string);
    ws.send(INIT.split('\n')[1] as string);
    // The ws client buffers without bound: treat 4 MiB unsent as "the socket is full".
    const full = (): boolean => ws.bufferedAmount > 4 * 1024 * 1024;
    const { written, peakMb } = await pipeline(
      (text) => {
        for (const line of text.split('\n')) if (line !== '') ws.send(line);
        return !full();
      },
      async () => {
        while (full()) await new Promise((r) => setTimeout(r, 20));
      },
      pid,
    );
    await wellBehaved(serve.urls[1] as string);
    ws.terminate();
    console.error(
      `WebSocket: wrote ${written}/${REQUESTS}, RSS ${baseline.toFixed(0)} → peak ${peakMb.toFixed(0)} MB`,
    );
    expect(written).toBeLessThan(REQUESTS);
    expect(peakMb - baseline).toBeLessThan(MAX_GROWTH_MB);
    expect(serve.proc.exitCode).toBeNull();
  }, 180_000);
});
