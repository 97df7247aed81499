/**
 * The gateway end to end, through every frontend: `switchboard serve --config gateway.yaml` with
 * server-everything (stdio), the demo server (HTTP) and the crashing fixture (stdio) behind it, and a
 * real SDK client per frontend (stdio, tcp, unix, ws, http) driving every MCP feature of
 * server-everything under its namespaced names — progress, cancellation, sampling, elicitation, roots
 * (and roots/list_changed), resource subscriptions, completion, logging — plus the demo's progress and
 * sampling over its HTTP hop.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import type { Transport } from '../../src/transport.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { eventually, taggedClient, type TaggedClient } from '../gateway/clients.js';
import { startGatewayRig, type GatewayRig } from './gateway-harness.js';
import { CLI } from './processes.js';

type Kind = 'stdio' | 'tcp' | 'unix' | 'ws' | 'http';
const KINDS: Kind[] = ['stdio', 'tcp', 'unix', 'ws', 'http'];
const texts = (result: unknown): string =>
  ((result as { content: { text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');

/** Calls `probe` until `done` holds for its result (or 20 s passed); returns the last result. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

let rig: GatewayRig;

beforeAll(async () => {
  rig = await startGatewayRig();
}, 120_000);

afterAll(async () => {
  await rig?.stop();
});

function transportFor(kind: Kind): Transport {
  if (kind === 'stdio') {
    return new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'serve', '--config', rig.configFile, '--listen', 'stdio:', '--log-level', 'warn'],
      env: { GATEWAY_TEST_HEADER: 'on' },
      stderr: 'pipe',
    });
  }
  return connect(rig.url(kind));
}

async function exercise(c: TaggedClient, tag: string): Promise<void> {
  const { client } = c;
  const names = (await client.listTools()).tools.map((t) => t.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'everything__echo',
      'everything__trigger-long-running-operation',
      'everything__trigger-sampling-request',
      'everything__trigger-elicitation-request',
      'everything__get-roots-list',
      'demo__echo',
      'demo__sample',
      'crashy__hello',
    ]),
  );
  expect(names.filter((n) => !/^(everything|demo|crashy)__/.test(n))).toEqual([]);
  expect(texts(await client.callTool({ name: 'everything__echo', arguments: { message: tag } }))).toBe(
    `Echo: ${tag}`,
  );

  // Progress, from server-everything over stdio and from the demo server over HTTP.
  const progress: number[] = [];
  await client.callTool(
    { name: 'everything__trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
    undefined,
    { onprogress: (p) => progress.push(p.progress) },
  );
  expect(progress).toEqual([1, 2, 3]);
  const demoProgress: number[] = [];
  await client.callTool({ name: 'demo__countdown', arguments: { steps: 2, delayMs: 1 } }, undefined, {
    onprogress: (p) => demoProgress.push(p.progress),
  });
  expect(demoProgress).toEqual([1, 2]);

  // Cancellation reaches the server (crashy counts it) and the session goes on.
  const abort = new AbortController();
  const waiting = client.callTool({ name: 'crashy__wait', arguments: {} }, undefined, {
    signal: abort.signal,
  });
  setTimeout(() => abort.abort('enough'), 200);
  await expect(waiting).rejects.toThrow();
  const cancelled = await until(
    async () => texts(await client.callTool({ name: 'crashy__cancelled', arguments: {} })),
    (n) => n === '1',
  );
  expect(cancelled).toBe('1');

  // Sampling and elicitation: server→client requests answered by this client.
  const sampled = await client.callTool({
    name: 'everything__trigger-sampling-request',
    arguments: { prompt: `p-${tag}`, maxTokens: 5 },
  });
  expect(texts(sampled)).toContain(`answer-${tag}`);
  expect(c.sampled.some((s) => s.includes(`p-${tag}`))).toBe(true);
  expect(texts(await client.callTool({ name: 'demo__sample', arguments: { question: `q-${tag}` } }))).toBe(
    `model said: answer-${tag}`,
  );
  const elicited = await client.callTool({ name: 'everything__trigger-elicitation-request', arguments: {} });
  expect(texts(elicited)).toContain(`- Name: ${tag}`);

  // Roots, then roots/list_changed: the server asks again and sees the new roots.
  const rootsNow = async () =>
    texts(await client.callTool({ name: 'everything__get-roots-list', arguments: {} }));
  expect(await until(rootsNow, (r) => r.includes(`file:///${tag}`))).toContain(`file:///${tag}`);
  c.roots = [{ uri: `file:///${tag}-changed`, name: 'changed' }];
  await client.sendRootsListChanged();
  expect(await until(rootsNow, (r) => r.includes(`${tag}-changed`))).toContain(`file:///${tag}-changed`);

  // Completion by prompt (namespaced) and by resource template.
  const byPrompt = await client.complete({
    ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
    argument: { name: 'department', value: 'Eng' },
  });
  expect(byPrompt.completion.values).toEqual(['Engineering']);
  const byTemplate = await client.complete({
    ref: { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' },
    argument: { name: 'resourceId', value: '1' },
  });
  expect(byTemplate.completion.values.length).toBeGreaterThan(0);

  // Resources of both servers; a subscription and log messages (server-everything sends both every 5 s).
  const doc = 'demo://resource/static/document/architecture.md';
  expect((await client.readResource({ uri: doc })).contents[0]?.uri).toBe(doc);
  expect((await client.readResource({ uri: 'demo://readme' })).contents[0]).toMatchObject({
    mimeType: 'text/markdown',
  });
  await client.setLoggingLevel('debug');
  await client.subscribeResource({ uri: doc });
  await client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
  await client.callTool({ name: 'everything__toggle-simulated-logging', arguments: {} });
  try {
    await eventually(
      () => c.updated.includes(doc) && c.logs.length > 0,
      30_000,
      'resources/updated and log messages',
    );
  } finally {
    await client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    await client.callTool({ name: 'everything__toggle-simulated-logging', arguments: {} });
  }
  expect(new Set(c.updated)).toEqual(new Set([doc]));
}

describe('gateway through every frontend', () => {
  it.each(KINDS)(
    'frontend %s: every server-everything feature under namespaced names',
    async (kind) => {
      const c = await taggedClient(transportFor(kind), `via-${kind}`);
      try {
        await exercise(c, `via-${kind}`);
      } finally {
        await c.client.close();
      }
    },
    180_000,
  );

  it('switchboard inspect shows the merged catalog; /readyz and /metrics name each server', async () => {
    const c = await taggedClient(transportFor('http'), 'metrics');
    try {
      await c.client.callTool({ name: 'everything__echo', arguments: { message: 'm' } });
      await c.client.callTool({ name: 'demo__echo', arguments: { message: 'm' } });
    } finally {
      await c.client.close();
    }
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'inspect', rig.url('http'), '-f', 'json'],
      {
        timeout: 60_000,
      },
    );
    const report = JSON.parse(stdout) as {
      tools: { name: string }[];
      prompts: { name: string }[];
      resources: { uri: string }[];
    };
    const servers = new Set(report.tools.map((t) => t.name.split('__')[0]));
    expect(servers).toEqual(new Set(['everything', 'demo', 'crashy']));
    expect(report.prompts.map((p) => p.name)).toEqual(
      expect.arrayContaining(['everything__simple-prompt', 'demo__greet']),
    );
    expect(report.resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining(['demo://readme', 'crashy://status']),
    );

    const base = new URL(rig.url('http'));
    const ready = await fetch(new URL('/readyz', base));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      servers: { everything: { status: 'up' }, demo: { status: 'up' }, crashy: { status: 'up' } },
    });
    const metrics = await (await fetch(new URL('/metrics', base))).text();
    expect(metrics).toMatch(/switchboard_gateway_server_up\{server="crashy"\} 1/);
    expect(metrics).toMatch(
      /switchboard_gateway_requests_total\{server="everything",mcp_method_name="tools\/call",outcome="ok"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /switchboard_gateway_requests_total\{server="demo",mcp_method_name="tools\/call",outcome="ok"\} [1-9]/,
    );
  }, 120_000);
});
