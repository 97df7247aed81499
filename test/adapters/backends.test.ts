import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendTargetInput } from '../../src/cli/backend-target.js';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { listen } from '../../src/endpoint/registry.js';
import { fixtureCommand } from '../fixtures/compiled.js';
import { startEverything, startServe, type Started } from '../e2e/processes.js';
import { getJson, graphql, parseSse, postJson, startAdapters, type AdapterStack } from './harness.js';

// Both adapters over every backend transport and both protocol eras: the demo server (SDK v1) on our
// tcp/unix/ws listeners and as a stdio child, server-everything over Streamable HTTP and legacy SSE,
// and an SDK v2 server speaking 2026-07-28 over stdio and (behind a serve child) over HTTP.

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-adapters-'));
const cleanups: (() => Promise<void>)[] = [];
const stacks: AdapterStack[] = [];
afterAll(async () => {
  // The stacks close together, before what they stand on: a stack with a 2026-07-28 backend waits out
  // its shutdown grace (10 s) for the adapter's subscriptions/listen, which never ends on its own.
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function demoOn(uri: string): Promise<string> {
  const listener = await listen(uri, { onConnection: (t) => void createDemoServer().connect(t) });
  cleanups.push(() => listener.close({ graceMs: 0 }));
  return listener.url;
}

async function child(start: Promise<Started & { url?: string; urls?: string[] }>): Promise<string> {
  const started = await start;
  cleanups.push(() => started.stop());
  return started.url ?? started.urls?.[0] ?? '';
}

interface Case {
  backend: () => Promise<BackendTargetInput>;
  era: '2025' | '2026-07-28';
  echo: { tool: string; args: Record<string, unknown>; answer: string; field: string };
  progress: { tool: string; args: Record<string, unknown> };
}

const demo = {
  echo: { tool: 'echo', args: { message: 'hi' }, answer: 'hi', field: 'echo(message: "hi")' },
  progress: { tool: 'countdown', args: { steps: 2, delayMs: 10 } },
};
const everything = {
  echo: { tool: 'echo', args: { message: 'hi' }, answer: 'Echo: hi', field: 'echo(message: "hi")' },
  progress: { tool: 'trigger-long-running-operation', args: { duration: 0.2, steps: 2 } },
};
const modern = {
  echo: { tool: 'echo', args: { text: 'hi' }, answer: 'hi', field: 'echo(text: "hi")' },
  progress: { tool: 'countdown', args: { steps: 2 } },
};

const CASES: Record<string, Case> = {
  'stdio (demo child)': {
    backend: () => Promise.resolve({ command: fixtureCommand('run-server.ts', 'v1') }),
    era: '2025',
    ...demo,
  },
  tcp: { backend: async () => ({ positional: [await demoOn('tcp://127.0.0.1:0')] }), era: '2025', ...demo },
  unix: {
    backend: async () => ({ positional: [await demoOn(`unix://${path.join(dir, 'demo.sock')}`)] }),
    era: '2025',
    ...demo,
  },
  websocket: {
    backend: async () => ({ positional: [await demoOn('ws://127.0.0.1:0/mcp')] }),
    era: '2025',
    ...demo,
  },
  'streamable HTTP (server-everything)': {
    backend: async () => ({ positional: [`${await child(startEverything('streamableHttp'))}/mcp`] }),
    era: '2025',
    ...everything,
  },
  'legacy SSE (server-everything)': {
    backend: async () => ({ positional: [`sse+${await child(startEverything('sse'))}/sse`] }),
    era: '2025',
    ...everything,
  },
  'stdio, 2026-07-28 (SDK v2 child)': {
    backend: () => Promise.resolve({ command: fixtureCommand('modern-server.ts') }),
    era: '2026-07-28',
    ...modern,
  },
  'streamable HTTP, 2026-07-28 (serve in front of the SDK v2 server)': {
    backend: async () => ({
      positional: [
        await child(
          startServe(['--listen', 'http://127.0.0.1:0/mcp', '--', ...fixtureCommand('modern-server.ts')]),
        ),
      ],
    }),
    era: '2026-07-28',
    ...modern,
  },
};

describe.each(Object.entries(CASES))('adapters over %s', (_name, c) => {
  it('REST: document, call, progress over SSE; GraphQL: query and mutation', async () => {
    const stack = await startAdapters(await c.backend());
    stacks.push(stack);

    const doc = (await getJson(`${stack.rest}/openapi.json`)).body as {
      info: Record<string, unknown>;
      paths: Record<string, unknown>;
    };
    expect(doc.paths[`/tools/${c.echo.tool}`]).toBeDefined();
    if (c.era === '2026-07-28') expect(doc.info['x-mcp-protocol-version']).toBe('2026-07-28');

    await expect(postJson(`${stack.rest}/tools/${c.echo.tool}`, c.echo.args)).resolves.toMatchObject({
      status: 200,
      body: c.echo.answer,
    });
    const streamed = await postJson(`${stack.rest}/tools/${c.progress.tool}`, c.progress.args, {
      accept: 'text/event-stream',
    });
    const events = parseSse(streamed.text);
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)?.event).toBe('result');

    const gql = await graphql(
      stack.graphql,
      `mutation { ${c.echo.field.replace(/^[^(]+/, c.echo.tool.replaceAll('-', '_'))} { content { ... on TextContent { text } } } }`,
    );
    expect(gql.body).toEqual({
      data: { [c.echo.tool.replaceAll('-', '_')]: { content: [{ text: c.echo.answer }] } },
    });
    const info = await graphql(stack.graphql, '{ serverInfo { protocolVersion } }');
    const version = (info.body as { data: { serverInfo: { protocolVersion: string } } }).data.serverInfo
      .protocolVersion;
    if (c.era === '2026-07-28') expect(version).toBe('2026-07-28');
    else expect(version).toMatch(/^2025-|^2024-11-05$/);
  }, 60_000);
});
