/**
 * Session resources of `switchboard serve`, as a hostile client meets them: silent connections spawn no
 * child, one address cannot take every session from the others, idle sessions' children are reaped.
 * Loopback source addresses 127.0.0.2 and .3 (hostile) and 127.0.0.1 (well-behaved) stand for hosts
 * (`--limit-loopback` counts loopback peers).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { fixture } from '../fixtures/paths.js';
import { eventually } from '../proxy/harness.js';
import { startServe, type Started } from './processes.js';

const started: Started[] = [];
const sockets: net.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});
afterAll(async () => {
  await Promise.allSettled(started.map((s) => s.stop()));
});

// The backend's era is given: with `auto`, the first client that may speak 2026-07-28 makes serve probe
// the backend once (one more child), which would blur the child counts asserted here.
const RAW_BACKEND = ['--backend-era', '2025', '--', process.execPath, fixture('raw-backend.mjs')];

async function serve(
  flags: string[],
  listen = 'tcp://127.0.0.1:0',
): Promise<Started & { urls: string[]; port: number }> {
  const s = await startServe(['--listen', listen, ...flags, ...RAW_BACKEND]);
  started.push(s);
  return { ...s, port: Number(new URL(s.urls[0] as string).port) };
}

/** A raw NDJSON connection from `localAddress`; `lines` collects what the proxy sends. */
async function rawConnection(
  port: number,
  localAddress: string,
): Promise<{ socket: net.Socket; lines: Record<string, unknown>[]; closed: Promise<void> }> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  sockets.push(socket);
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      lines.push(JSON.parse(buffer.slice(0, i)) as Record<string, unknown>);
      buffer = buffer.slice(i + 1);
    }
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, lines, closed };
}

const initialize = (id: number): string =>
  `${JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  })}\n`;

const spawns = (s: Started): number => s.stderr.filter((l) => l.includes('"msg":"spawning backend"')).length;

describe('serve: one client cannot exhaust the sessions of everyone else', () => {
  it('silent connections spawn nothing; one address is capped in sessions and children; others are served', async () => {
    const s = await serve([
      '--max-sessions',
      '6',
      '--max-sessions-per-ip',
      '4',
      '--max-backends-per-ip',
      '2',
      '--limit-loopback',
    ]);
    // Silent connections: no child. Beyond 4 sessions from that address, connections are refused (closed).
    const silent = await Promise.all(Array.from({ length: 6 }, () => rawConnection(s.port, '127.0.0.2')));
    await Promise.race([
      Promise.all(silent.slice(4).map((c) => c.closed)),
      new Promise((r) => setTimeout(r, 10_000)),
    ]);
    expect(silent.slice(4).every((c) => c.socket.destroyed || c.socket.readableEnded)).toBe(true);
    expect(spawns(s)).toBe(0);
    for (const c of silent) c.socket.destroy();
    // Sessions that speak (from another hostile address): two children, the third is refused with a reason.
    const speaking = await Promise.all(Array.from({ length: 3 }, () => rawConnection(s.port, '127.0.0.3')));
    for (const [i, c] of speaking.entries()) c.socket.write(initialize(i + 1));
    await eventually(() => speaking.every((c) => c.lines.length === 1), 20_000);
    const errors = speaking.map((c) => (c.lines[0]?.error as { message?: string } | undefined)?.message);
    expect(errors.filter((e) => e === undefined)).toHaveLength(2);
    expect(errors.filter((e) => e !== undefined)).toEqual([
      'Session refused: too many backends from this address (max 2)',
    ]);
    // A client on another address is served.
    const client = new Client({ name: 'good', version: '1.0.0' });
    await client.connect(connect(s.urls[0] as string));
    try {
      const echoed = await client.callTool({ name: 'echo', arguments: { ok: true } });
      expect(echoed.content).toEqual([{ type: 'text', text: '{"ok":true}' }]);
      expect(spawns(s)).toBe(3);
    } finally {
      await client.close();
    }
  }, 90_000);

  it('an idle session is closed and its child reaped; a silent one after the first-message timeout', async () => {
    const s = await serve(['--idle-timeout', '1s', '--first-message-timeout', '1s']);
    const silent = await rawConnection(s.port, '127.0.0.1');
    const client = new Client({ name: 'idle', version: '1.0.0' });
    await client.connect(connect(s.urls[0] as string));
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const pid = Number((result.content as { text: string }[])[0]?.text);
    expect(pid).toBeGreaterThan(0);
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await eventually(() => !alive(), 20_000);
    await silent.closed;
    // The log lines come through serve's stderr pipe, which may be read after the child is gone.
    const logged = (msg: string): boolean => s.stderr.some((l) => l.includes(`"msg":"${msg}"`));
    await eventually(() => logged('closing idle session'), 20_000);
    await eventually(() => logged('closing a session that sent nothing'), 20_000);
    await client.close();
  }, 60_000);

  it('one authenticated principal is capped in backends, whatever its sessions; another principal is served', async () => {
    const keys = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-keys-')), 'keys');
    writeFileSync(keys, 'mallory:key-mallory-0123456789\nalice:key-alice-0123456789abc\n');
    const s = await serve(
      ['--api-keys-file', keys, '--max-backends-per-principal', '1'],
      'http://127.0.0.1:0/mcp',
    );
    const clientWith = async (key: string): Promise<Client> => {
      const client = new Client({ name: key, version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(s.urls[0] as string), {
          requestInit: { headers: { 'x-api-key': key } },
        }),
      );
      return client;
    };
    const first = await clientWith('key-mallory-0123456789');
    await expect(clientWith('key-mallory-0123456789')).rejects.toThrow(
      /too many backends for this principal \(max 1\)/,
    );
    const alice = await clientWith('key-alice-0123456789abc');
    try {
      const echoed = await alice.callTool({ name: 'echo', arguments: { who: 'alice' } });
      expect(echoed.content).toEqual([{ type: 'text', text: '{"who":"alice"}' }]);
    } finally {
      await Promise.allSettled([alice.close(), first.close()]);
    }
  }, 60_000);

  it('a GET /sse that never POSTs spawns no child and is closed after the first-message timeout', async () => {
    const s = await serve(['--first-message-timeout', '1s'], 'http://127.0.0.1:0/mcp');
    const sse = new URL('/sse', s.urls[0]);
    const streams = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<{ body: string; ended: Promise<void> }>((resolve, reject) => {
            const req = http.get(sse, { headers: { accept: 'text/event-stream' } }, (res) => {
              const state = { body: '', ended: new Promise<void>((done) => res.once('close', () => done())) };
              res.on('data', (chunk: Buffer) => {
                state.body += chunk.toString();
                if (state.body.includes('event: endpoint')) resolve(state);
              });
            });
            req.on('error', reject);
          }),
      ),
    );
    await Promise.all(streams.map((st) => st.ended));
    expect(spawns(s)).toBe(0);
    // The streams ended when the sessions closed; the log lines come through serve's stderr pipe.
    await eventually(
      () => s.stderr.filter((l) => l.includes('"msg":"closing a session that sent nothing"')).length >= 5,
    );
    expect(s.stderr.filter((l) => l.includes('"msg":"closing a session that sent nothing"'))).toHaveLength(5);
  }, 60_000);
});
