import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { fixture } from '../fixtures/paths.js';
import { CLI, startServe, type Started } from './processes.js';

const EIGHT_MIB = 8 * 1024 * 1024;
const rawBackend = ['--', process.execPath, fixture('raw-backend.mjs')];
const started: Started[] = [];
afterAll(async () => {
  await Promise.allSettled(started.map((s) => s.stop()));
});

const textLength = (r: unknown): number =>
  ((r as { content: { text: string }[] }).content[0]?.text ?? '').length;

describe('an 8 MiB tool result through serve', () => {
  it('stdio backend → Streamable HTTP frontend', async () => {
    const serve = await startServe(['--listen', 'http://127.0.0.1:0/mcp', ...rawBackend]);
    started.push(serve);
    const client = new Client({ name: 'big', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.urls[0] as string)));
    try {
      const r = await client.callTool({ name: 'big', arguments: { bytes: EIGHT_MIB } });
      expect(textLength(r)).toBe(EIGHT_MIB);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('Streamable HTTP backend → stdio frontend', async () => {
    const httpFront = await startServe(['--listen', 'http://127.0.0.1:0/mcp', ...rawBackend]);
    started.push(httpFront);
    const client = new Client({ name: 'big', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'serve', httpFront.urls[0] as string, '--listen', 'stdio:', '--log-level', 'warn'],
        stderr: 'pipe',
      }),
    );
    try {
      const r = await client.callTool({ name: 'big', arguments: { bytes: EIGHT_MIB } });
      expect(textLength(r)).toBe(EIGHT_MIB);
    } finally {
      await client.close();
    }
  }, 60_000);
});
