import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { startServe, type Started } from '../e2e/processes.js';
import { startSniffer, type Sniffer } from './sniffer.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-links-'));
const keyFile = path.join(dir, 'keys.yaml');
writeFileSync(keyFile, `keys:\n  - id: k1\n    secret: ${randomBytes(32).toString('base64')}\n`, {
  mode: 0o600,
});

const stops: (Started | Sniffer)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await ('stop' in s ? s.stop() : s.close());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const textOf = (result: unknown): string =>
  (result as { content: { text: string }[] }).content[0]?.text ?? '';

function bigText(): string {
  const rows: string[] = [];
  let length = 0;
  for (let i = 0; length < 1024 * 1024; i++) {
    const row = `{"id":${i},"name":"item-${i % 97}","status":"${i % 3 === 0 ? 'active' : 'idle'}"},`;
    rows.push(row);
    length += row.length;
  }
  return rows.join('').slice(0, 1024 * 1024);
}

describe('two switchboards over TCP', () => {
  it('with an encrypted link: calls work end to end, and the bytes between them are not readable', async () => {
    const b = await startServe([
      '--listen',
      'tcp://127.0.0.1:0',
      '--link-frontend',
      '--link-key-file',
      keyFile,
    ]);
    stops.push(b);
    const sniffer = await startSniffer(Number(new URL(b.urls[0] as string).port));
    stops.push(sniffer);
    const a = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--link-backend',
      '--link-key-file',
      keyFile,
      `tcp://127.0.0.1:${sniffer.port}`,
    ]);
    stops.push(a);

    const client = new Client({ name: 'through-two', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(a.urls[0] as string)));
    const secret = 'the launch code is 0000-hunter2';
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: secret } }))).toBe(secret);
    const big = bigText();
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: big } }))).toBe(big);
    await client.close();

    const wire = sniffer.c2s().toString('latin1') + sniffer.s2c().toString('latin1');
    expect(wire).toContain('"switchboard/sealed"');
    for (const clear of ['hunter2', 'tools/call', '"echo"', 'switchboard-demo', '"item-1"'])
      expect(wire).not.toContain(clear);
    // Compressed as well as sealed: far less than the two 1 MiB payloads.
    expect(sniffer.c2s().length + sniffer.s2c().length).toBeLessThan(1024 * 1024);
  });

  it('a plain MCP client is refused by an encrypted link frontend', async () => {
    const b = await startServe([
      '--listen',
      'tcp://127.0.0.1:0',
      '--link-frontend',
      '--link-key-file',
      keyFile,
    ]);
    stops.push(b);
    const client = new Client({ name: 'plain', version: '1.0.0' });
    await expect(client.connect(connect(b.urls[0] as string))).rejects.toThrow();
  });
});

describe('serve --ws-compression', () => {
  it('a 1 MiB result over WebSocket round-trips and is smaller on the wire', async () => {
    const serve = await startServe(['--listen', 'ws://127.0.0.1:0/mcp', '--ws-compression']);
    stops.push(serve);
    const url = new URL(serve.urls[0] as string);
    const sniffer = await startSniffer(Number(url.port));
    stops.push(sniffer);
    const client = new Client({ name: 'ws-compressed', version: '1.0.0' });
    await client.connect(
      connect(`ws://127.0.0.1:${sniffer.port}${url.pathname}`, { websocket: { perMessageDeflate: true } }),
    );
    const big = bigText();
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: big } }))).toBe(big);
    await client.close();
    // Uncompressed, the request and the answer would each carry the 1 MiB text.
    expect(sniffer.c2s().length + sniffer.s2c().length).toBeLessThan(big.length);
    expect(sniffer.s2c().toString('latin1')).toMatch(/sec-websocket-extensions: permessage-deflate/i);
  });
});
