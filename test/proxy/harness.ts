import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Proxy, type ProxyOptions } from '../../src/proxy/proxy.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { fixture } from '../fixtures/paths.js';

/** A proxy in front of raw-backend.mjs children, with every child's stderr collected per session. */
export function rawBackendProxy(options: Partial<ProxyOptions> = {}): {
  proxy: Proxy;
  stderr: Map<string, string[]>;
  children: StdioClientTransport[];
  all: () => string[];
} {
  const stderr = new Map<string, string[]>();
  const children: StdioClientTransport[] = [];
  const proxy = new Proxy({
    connectBackend: (sessionId) => {
      const t = new StdioClientTransport({
        command: process.execPath,
        args: [fixture('raw-backend.mjs')],
        stderr: 'pipe',
      });
      const key = sessionId ?? 'shared';
      t.onstderr = (line) => {
        const lines = stderr.get(key) ?? [];
        lines.push(line);
        stderr.set(key, lines);
      };
      children.push(t);
      return t;
    },
    ...options,
  });
  return { proxy, stderr, children, all: () => [...stderr.values()].flat() };
}

/** An SDK v1 client connected to `proxy` through an in-memory frontend; answers sampling with `answer`. */
export async function clientVia(proxy: Proxy, answer = 'ok'): Promise<Client> {
  const client = new Client({ name: 'proxy-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    role: 'assistant',
    content: { type: 'text', text: answer },
    model: 'm',
  }));
  const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
  proxy.accept(proxySide);
  await client.connect(clientSide);
  return client;
}

/** The text of the first content block of a tool result. */
export const textOf = (result: unknown): string =>
  ((result as { content: { text: string }[] }).content[0] ?? { text: '' }).text;

/** Polls `cond` every 10 ms for up to `ms` (generous: the machine may be busy). */
export async function eventually(cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
