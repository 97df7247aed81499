import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { connectHttp } from '../../src/transports/http/client/connect.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import type { Transport } from '../../src/transport.js';
import { startEverything, type EverythingServer } from '../fixtures/http-client/everything.js';

const SAMPLED = {
  role: 'assistant' as const,
  content: { type: 'text' as const, text: 'sampled 42' },
  model: 'm',
};
const ELICITED = { action: 'accept' as const, content: { name: 'Ada Lovelace', check: true } };

interface Exercised {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(
    name: string,
    args: Record<string, unknown>,
    onprogress?: (p: { progress: number }) => void,
  ): Promise<unknown>;
  listResources(): Promise<{ resources: { uri: string }[] }>;
  readResource(uri: string): Promise<{ contents: unknown[] }>;
  connect(t: Transport): Promise<void>;
  close(): Promise<void>;
}

function v1(): Exercised {
  const c = new V1Client({ name: 'v1', version: '1' }, { capabilities: { sampling: {}, elicitation: {} } });
  c.setRequestHandler(CreateMessageRequestSchema, () => SAMPLED);
  c.setRequestHandler(ElicitRequestSchema, () => ELICITED);
  return {
    connect: (t) => c.connect(t),
    close: () => c.close(),
    listTools: () => c.listTools(),
    listResources: () => c.listResources(),
    readResource: (uri) => c.readResource({ uri }),
    callTool: (name, args, onprogress) =>
      c.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : {}),
  };
}

function v2(): Exercised {
  const c = new V2Client({ name: 'v2', version: '1' }, { capabilities: { sampling: {}, elicitation: {} } });
  c.setRequestHandler('sampling/createMessage', () => SAMPLED);
  c.setRequestHandler('elicitation/create', () => ELICITED);
  return {
    connect: (t) => c.connect(t),
    close: () => c.close(),
    listTools: () => c.listTools(),
    listResources: () => c.listResources(),
    readResource: (uri) => c.readResource({ uri }),
    callTool: (name, args, onprogress) =>
      c.callTool({ name, arguments: args }, onprogress ? { onprogress } : {}),
  };
}

const texts = (result: unknown): string =>
  (result as { content: { text?: string }[] }).content.map((c) => c.text ?? '').join('\n');

async function exercise(c: Exercised): Promise<void> {
  const { tools } = await c.listTools();
  expect(tools.map((t) => t.name)).toEqual(
    expect.arrayContaining(['echo', 'trigger-long-running-operation', 'trigger-sampling-request']),
  );
  expect(texts(await c.callTool('echo', { message: 'hi' }))).toContain('hi');

  const progress: number[] = [];
  const done = await c.callTool('trigger-long-running-operation', { duration: 0.3, steps: 3 }, (p) =>
    progress.push(p.progress),
  );
  expect(texts(done)).toContain('Long running operation completed');
  expect(progress).toEqual([1, 2, 3]);

  const { resources } = await c.listResources();
  const first = resources[0];
  expect(first).toBeDefined();
  expect((await c.readResource(first?.uri ?? '')).contents).toHaveLength(1);

  expect(texts(await c.callTool('trigger-sampling-request', { prompt: 'hello', maxTokens: 10 }))).toContain(
    'sampled 42',
  );
  expect(texts(await c.callTool('trigger-elicitation-request', {}))).toContain('Ada Lovelace');
}

let server: EverythingServer | undefined;
let client: Exercised | undefined;

afterEach(async () => {
  await client?.close().catch(() => undefined);
  await server?.stop();
  client = undefined;
  server = undefined;
});

describe('against the real server-everything', () => {
  it.each([
    ['v1', v1],
    ['v2', v2],
  ])('streamableHttp mode, SDK %s Client', async (_name, make) => {
    server = await startEverything('streamableHttp');
    client = make();
    const transport = connectHttp(server.url) as StreamableHttpClientTransport;
    await client.connect(transport);
    expect(transport.mode).toBe('streamable-http');
    expect(transport.sessionId).toEqual(expect.any(String));
    await exercise(client);
  });

  it.each([
    ['v1', v1],
    ['v2', v2],
  ])('sse mode, SDK %s Client: http:// falls back, sse+http:// forces', async (_name, make) => {
    server = await startEverything('sse');
    client = make();
    const auto = connectHttp(server.url) as StreamableHttpClientTransport;
    await client.connect(auto);
    expect(auto.mode).toBe('sse');
    await exercise(client);
    await client.close();

    client = make();
    await client.connect(connect(`sse+${server.url.href}`));
    await exercise(client);
  });

  it('re-initializes transparently after the server process restarts (it answers 400 for the lost session)', async () => {
    server = await startEverything('streamableHttp');
    const port = server.port;
    let recovered = 0;
    client = v1();
    const transport = new StreamableHttpClientTransport(server.url, {
      onSessionRecovered: () => recovered++,
    });
    await client.connect(transport);
    const before = transport.sessionId;
    expect(texts(await client.callTool('echo', { message: 'one' }))).toContain('one');

    await server.stop();
    server = await startEverything('streamableHttp', port);

    expect(texts(await client.callTool('echo', { message: 'two' }))).toContain('two');
    expect(recovered).toBe(1);
    expect(transport.sessionId).not.toBe(before);
  });
});
