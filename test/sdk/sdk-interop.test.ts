import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import type { Transport } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { v1Client, v2Client, type AnyClient } from '../fixtures/sdk-clients.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { createV2Server } from '../fixtures/sdk-v2-server.js';

type ServerKind = 'v1' | 'v2';
const clients = { v1: v1Client, v2: v2Client } as const;

/** Connects a client to a server of `kind` over `via`, returning the client. */
async function connectPair(client: AnyClient, kind: ServerKind, via: 'in-memory' | 'stdio'): Promise<void> {
  if (via === 'in-memory') {
    const [c, s] = InMemoryTransport.createLinkedPair();
    const server = kind === 'v1' ? createDemoServer() : createV2Server();
    await server.connect(s);
    await client.connect(c);
    return;
  }
  const transport: Transport = new StdioClientTransport({
    command: process.execPath,
    args: [compiledFixture('run-server.ts'), kind],
    stderr: 'pipe',
  });
  await client.connect(transport);
}

const text = (result: unknown): string =>
  ((result as { content: { type: string; text: string }[] }).content[0] ?? { text: '' }).text;

const open: AnyClient[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((c) => c.close()));
});

describe.each([
  ['v1', 'v1'],
  ['v2', 'v2'],
  ['v1', 'v2'],
  ['v2', 'v1'],
] as const)('SDK %s Client ↔ SDK %s Server', (clientKind, serverKind) => {
  it.each(['in-memory', 'stdio'] as const)(
    'over %s: tools, progress, sampling, resource, prompt',
    async (via) => {
      const client = clients[clientKind]();
      open.push(client);
      await connectPair(client, serverKind, via);

      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'countdown', 'sample']));

      expect(text(await client.callTool('echo', { message: 'héllo 🌍' }))).toBe('héllo 🌍');

      const progress: number[] = [];
      const done = await client.callTool('countdown', { steps: 4, delayMs: 5 }, (p) =>
        progress.push(p.progress),
      );
      expect(text(done)).toBe('counted down 4 steps');
      expect(progress).toEqual([1, 2, 3, 4]);

      expect(text(await client.callTool('sample', { question: 'meaning of life?' }))).toBe('model said: 42');

      const resource = await client.readResource('demo://readme');
      expect(String(resource.contents[0]?.text)).toContain('switchboard demo');

      const prompt = await client.getPrompt('greet', { name: 'Ada' });
      expect(JSON.stringify(prompt.messages)).toContain('Please greet Ada warmly.');
    },
  );
});
