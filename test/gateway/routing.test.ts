/**
 * The gateway's router with real SDK servers and clients in process: naming, routing of every request
 * kind, and the request lifecycle (progress, cancellation, server→client requests, log levels, roots,
 * subscriptions) — each reaching the right client session and the right server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import { Gateway, type GatewayOptions } from '../../src/gateway/index.js';
import type { SessionMode } from '../../src/proxy/proxy.js';
import { eventually, taggedClient, textOf, type TaggedClient } from './clients.js';
import { newProbeLog, probeConnect, type ProbeLog } from './probe-server.js';

const gateways: Gateway[] = [];
const clients: TaggedClient[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.client.close()));
  await Promise.allSettled(gateways.splice(0).map((g) => g.close({ graceMs: 0 })));
});

async function gatewayOf(
  log: ProbeLog,
  mode: SessionMode = 'per-session',
  extra: Partial<GatewayOptions> = {},
) {
  const gateway = new Gateway({
    servers: [
      { name: 'a', connect: probeConnect('a', log), sessionMode: mode },
      { name: 'b', connect: probeConnect('b', log), sessionMode: mode },
    ],
    ...extra,
  });
  gateways.push(gateway);
  await gateway.start();
  return gateway;
}

async function connectTo(gateway: Gateway, tag: string, expose?: string[]): Promise<TaggedClient> {
  const c = await taggedClient(gateway.connect(expose), tag);
  clients.push(c);
  return c;
}

const errorOf = (p: Promise<unknown>): Promise<McpError> =>
  p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: unknown) => e as McpError,
  );

describe.each(['per-session', 'shared'] as const)('gateway routing (%s servers)', (mode) => {
  it('namespaces colliding names, maps them back exactly, and answers initialize itself', async () => {
    const gateway = await gatewayOf(newProbeLog(), mode, { serverInfo: { name: 'gw', version: '9' } });
    const c = await connectTo(gateway, 'one');
    expect(c.client.getServerVersion()).toMatchObject({ name: 'gw', version: '9' });
    expect(c.client.getInstructions()).toBe('## a\nprobe a\n\n## b\nprobe b');
    expect(c.client.getServerCapabilities()).toMatchObject({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      logging: {},
      completions: {},
    });
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      ...['echo', 'ask', 'roots', 'slow', 'log', 'touch'].map((n) => `a__${n}`),
      ...['echo', 'ask', 'roots', 'slow', 'log', 'touch'].map((n) => `b__${n}`),
    ]);
    expect(textOf(await c.client.callTool({ name: 'a__echo', arguments: { text: 'x' } }))).toBe('a:x');
    expect(textOf(await c.client.callTool({ name: 'b__echo', arguments: { text: 'y' } }))).toBe('b:y');
    const prompt = await c.client.getPrompt({ name: 'b__greet', arguments: { who: 'ada' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'b greets ada' });
  });

  it('routes resources by owner: listed first in config order, templates, and a clear error otherwise', async () => {
    const gateway = await gatewayOf(newProbeLog(), mode);
    const c = await connectTo(gateway, 'one');
    const { resources } = await c.client.listResources();
    // mem://shared/x is listed by both: the first server in the configuration serves it.
    expect(resources.map((r) => r.uri)).toEqual(['mem://a/a', 'mem://shared/x', 'mem://b/a']);
    const read = async (uri: string) =>
      ((await c.client.readResource({ uri })).contents[0] as { text: string }).text;
    expect(await read('mem://b/a')).toBe('b has mem://b/a');
    expect(await read('mem://shared/x')).toBe('a has mem://shared/x');
    expect(await read('mem://b/item/7')).toBe('b has mem://b/item/7');
    const error = await errorOf(c.client.readResource({ uri: 'other://nope' }));
    expect(error.code).toBe(-32602);
    expect(error.message).toContain('Resource other://nope not found');
  });

  it('routes completions by prompt name and by resource template', async () => {
    const gateway = await gatewayOf(newProbeLog(), mode);
    const c = await connectTo(gateway, 'one');
    const byPrompt = await c.client.complete({
      ref: { type: 'ref/prompt', name: 'b__greet' },
      argument: { name: 'who', value: 'ad' },
    });
    expect(byPrompt.completion.values).toEqual(['b-ref/prompt-ad']);
    const byTemplate = await c.client.complete({
      ref: { type: 'ref/resource', uri: 'mem://a/item/{id}' },
      argument: { name: 'id', value: '4' },
    });
    expect(byTemplate.completion.values).toEqual(['a-ref/resource-4']);
  });

  it('gives an unknown name the error an MCP server gives, naming it', async () => {
    const gateway = await gatewayOf(newProbeLog(), mode);
    const c = await connectTo(gateway, 'one');
    for (const name of ['nope', 'a__nope', 'c__echo', 'a_echo']) {
      const error = await errorOf(c.client.callTool({ name, arguments: {} }));
      expect(error.code).toBe(-32602);
      expect(error.message).toContain(`Tool ${name} not found`);
    }
    const prompt = await errorOf(c.client.getPrompt({ name: 'a__nope' }));
    expect(prompt.message).toContain('Prompt a__nope not found');
  });

  it('carries progress and cancellation to the right server only', async () => {
    const log = newProbeLog();
    const gateway = await gatewayOf(log, mode);
    const c = await connectTo(gateway, 'one');
    const progress: string[] = [];
    const done = await c.client.callTool({ name: 'b__slow', arguments: { ms: 50 } }, undefined, {
      onprogress: (p) => progress.push(String(p.message)),
    });
    expect(textOf(done)).toBe('b slow done');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(new Set(progress)).toEqual(new Set(['b']));

    const abort = new AbortController();
    const call = c.client.callTool({ name: 'a__slow', arguments: { ms: 20_000 } }, undefined, {
      signal: abort.signal,
      onprogress: () => abort.abort('enough'),
    });
    await expect(call).rejects.toThrow();
    await eventually(() => log.cancelled.includes('a'), 15_000, 'cancellation reached server a');
    expect(log.cancelled).toEqual(['a']);
  });

  it('routes sampling, roots and their answers back to the server that asked, with ids of its own', async () => {
    const gateway = await gatewayOf(newProbeLog(), mode);
    const c = await connectTo(gateway, 'one');
    // Both servers ask at the same time: each request id the client sees is unique, each answer returns.
    const [a, b] = await Promise.all([
      c.client.callTool({ name: 'a__ask', arguments: { text: 'qa' } }),
      c.client.callTool({ name: 'b__ask', arguments: { text: 'qb' } }),
    ]);
    expect(textOf(a)).toBe('a got answer-one');
    expect(textOf(b)).toBe('b got answer-one');
    expect(c.sampled.sort()).toEqual(['qa', 'qb']);
    const asked = c.transport.received.filter((m) => m.method === 'sampling/createMessage');
    expect(new Set(asked.map((m) => m.id)).size).toBe(2);
    expect(textOf(await c.client.callTool({ name: 'b__roots', arguments: {} }))).toBe('b roots file:///one');
  });

  it('sends logging/setLevel and roots/list_changed to every server the session uses, the level also later', async () => {
    const log = newProbeLog();
    const gateway = await gatewayOf(log, mode);
    const c = await connectTo(gateway, 'one');
    await c.client.callTool({ name: 'a__echo', arguments: { text: '1' } });
    await c.client.setLoggingLevel('debug');
    expect(log.levels).toEqual(['a:debug']);
    await c.client.callTool({ name: 'b__echo', arguments: { text: '2' } });
    await eventually(() => log.levels.includes('b:debug'), 15_000, 'level replayed to b');
    await c.client.sendRootsListChanged();
    await eventually(() => log.rootsChanged.length === 2, 15_000, 'roots/list_changed reached a and b');
    expect(log.rootsChanged.sort()).toEqual(['a', 'b']);
    await c.client.callTool({ name: 'b__log', arguments: { text: 'hello' } });
    await eventually(() => c.logs.includes('hello'), 15_000, 'log message');
  });

  it('delivers resources/updated only to the session that subscribed', async () => {
    const log = newProbeLog();
    const gateway = await gatewayOf(log, mode);
    const one = await connectTo(gateway, 'one');
    const two = await connectTo(gateway, 'two');
    await one.client.subscribeResource({ uri: 'mem://b/a' });
    expect(log.subscribed).toEqual(['b:mem://b/a']);
    await two.client.callTool({ name: 'b__echo', arguments: { text: 'warm' } });
    await one.client.callTool({ name: 'b__touch', arguments: { uri: 'mem://b/a' } });
    await eventually(() => one.updated.includes('mem://b/a'), 15_000, 'update delivered');
    // two is connected to b too, but never subscribed.
    await two.client.callTool({ name: 'b__echo', arguments: { text: 'after' } });
    expect(two.updated).toEqual([]);
  });
});

describe('gateway routing: concurrency and views', () => {
  it('keeps concurrent sessions apart: answers, progress and sampling each reach their own session', async () => {
    const gateway = await gatewayOf(newProbeLog());
    const sessions = await Promise.all(Array.from({ length: 12 }, (_, i) => connectTo(gateway, `s${i}`)));
    await Promise.all(
      sessions.map(async (c, i) => {
        const progress: string[] = [];
        const [echo, asked, slow] = await Promise.all([
          c.client.callTool({ name: i % 2 ? 'a__echo' : 'b__echo', arguments: { text: `s${i}` } }),
          c.client.callTool({ name: i % 2 ? 'b__ask' : 'a__ask', arguments: { text: `q${i}` } }),
          c.client.callTool({ name: 'a__slow', arguments: { ms: 30 } }, undefined, {
            onprogress: (p) => progress.push(String(p.message)),
          }),
        ]);
        expect(textOf(echo)).toBe(`${i % 2 ? 'a' : 'b'}:s${i}`);
        expect(textOf(asked)).toBe(`${i % 2 ? 'b' : 'a'} got answer-s${i}`);
        expect(textOf(slow)).toBe('a slow done');
        expect(c.sampled).toEqual([`q${i}`]);
      }),
    );
  });

  it('a virtual server shows and serves only what it exposes; hidden names fail like unknown ones', async () => {
    const gateway = await gatewayOf(newProbeLog());
    const c = await connectTo(gateway, 'ro', ['b__echo', 'b__greet', 'mem://b/*']);
    expect((await c.client.listTools()).tools.map((t) => t.name)).toEqual(['b__echo']);
    expect((await c.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['b__greet']);
    expect((await c.client.listResources()).resources.map((r) => r.uri)).toEqual(['mem://b/a']);
    expect(c.client.getInstructions()).toBe('## b\nprobe b');
    expect(textOf(await c.client.callTool({ name: 'b__echo', arguments: { text: 'v' } }))).toBe('b:v');
    const hidden = await errorOf(c.client.callTool({ name: 'a__echo', arguments: {} }));
    const unknown = await errorOf(c.client.callTool({ name: 'zz', arguments: {} }));
    expect(hidden.code).toBe(unknown.code);
    expect(hidden.message).toBe(unknown.message.replace('zz', 'a__echo'));
    await expect(c.client.readResource({ uri: 'mem://a/a' })).rejects.toThrow(/not found/);
  });

  it('pages merged lists with an opaque cursor', async () => {
    const gateway = await gatewayOf(newProbeLog(), 'per-session', { pageSize: 5 });
    const c = await connectTo(gateway, 'one');
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await c.client.listTools(cursor === undefined ? {} : { cursor });
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(pages).toBe(3);
    expect(names).toHaveLength(12);
    expect(new Set(names).size).toBe(12);
    const bad = await errorOf(c.client.listTools({ cursor: 'bm90IG91cnM' }));
    expect(bad.code).toBe(-32602);
  });
});
