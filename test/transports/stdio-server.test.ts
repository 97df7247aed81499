import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { StdioServerTransport } from '../../src/transports/stdio-server.js';
import { compiledFixture } from '../fixtures/compiled.js';

describe('StdioServerTransport', () => {
  it('closes when stdin ends, after delivering what came before', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const t = new StdioServerTransport({ stdin, stdout });
    const got: JSONRPCMessage[] = [];
    t.onmessage = (m) => got.push(m);
    const closed = new Promise<void>((resolve) => (t.onclose = resolve));
    await t.start();
    stdin.end('{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","method":"last"}');
    await closed;
    expect(got.map((m) => m.method)).toEqual(['ping', 'last']);
    await expect(t.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toMatchObject({
      code: 'TRANSPORT_CLOSED',
    });
  });

  it('writes one NDJSON line per message to stdout', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const t = new StdioServerTransport({ stdin, stdout });
    await t.start();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    await t.send({ jsonrpc: '2.0', id: 1, result: { text: 'a\nb' } });
    await t.send({ jsonrpc: '2.0', method: 'n' });
    await t.close();
    expect(Buffer.concat(chunks).toString()).toBe(
      '{"jsonrpc":"2.0","id":1,"result":{"text":"a\\nb"}}\n{"jsonrpc":"2.0","method":"n"}\n',
    );
  });

  it('a server process using it exits when its client closes stdin (no orphans)', async () => {
    const child = spawn(process.execPath, [compiledFixture('run-server.ts'), 'v1'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.write(
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n',
    );
    const firstLine = await new Promise<string>((resolve) =>
      child.stdout.once('data', (c: Buffer) => resolve(c.toString())),
    );
    expect(JSON.parse(firstLine)).toMatchObject({
      id: 1,
      result: { serverInfo: { name: 'switchboard-demo' } },
    });
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});
