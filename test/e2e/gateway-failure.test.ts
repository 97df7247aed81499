/**
 * A dead server takes down only its own tools, with real processes: the crashing fixture's kill switch
 * makes every instance exit (and restarts fail) until it is turned off. Also: a filtered tool and a
 * virtual server (a listener exposing a subset) through the real CLI.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connect } from '../../src/endpoint/registry.js';
import { eventually, taggedClient, type TaggedClient } from '../gateway/clients.js';
import { startGatewayRig, type GatewayRig } from './gateway-harness.js';
import { freePort, stopsInBackground } from './processes.js';

const texts = (result: unknown): string =>
  ((result as { content: { text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');

const errorOf = (p: Promise<unknown>): Promise<McpError> =>
  p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: unknown) => e as McpError,
  );

// The per-session rig stops while the shared-mode tests run: its processes take seconds to exit, and
// those tests do not need them gone.
const stopLater = stopsInBackground();

describe.each(['per-session', 'shared'] as const)('gateway: a server dies and comes back (%s)', (mode) => {
  let rig: GatewayRig;
  let virtualUrl: string;
  const clients: TaggedClient[] = [];

  beforeAll(async () => {
    virtualUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    rig = await startGatewayRig({
      sessionMode: mode,
      listen: [{ uri: virtualUrl, expose: ['demo__*', 'crashy__hello'] }],
      crashy: { tools: { deny: ['crash'] } },
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.client.close()));
    if (rig) stopLater(rig.stop());
  });

  it('filters and virtual servers: hidden tools are invisible and fail like unknown ones', async () => {
    const c = await taggedClient(connect(rig.url('http')), 'filters');
    clients.push(c);
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('crashy__hello');
    expect(names).not.toContain('crashy__crash');
    const filtered = await errorOf(c.client.callTool({ name: 'crashy__crash', arguments: {} }));
    const unknown = await errorOf(c.client.callTool({ name: 'crashy__nothing', arguments: {} }));
    expect(filtered.code).toBe(-32602);
    expect(filtered.code).toBe(unknown.code);
    expect(filtered.message).toBe('MCP error -32602: Tool crashy__crash not found');

    const v = await taggedClient(connect(virtualUrl), 'virtual');
    clients.push(v);
    const visible = (await v.client.listTools()).tools.map((t) => t.name);
    expect(visible.sort()).toEqual([
      'crashy__hello',
      'demo__add',
      'demo__countdown',
      'demo__echo',
      'demo__sample',
    ]);
    expect((await v.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['demo__greet']);
    expect(texts(await v.client.callTool({ name: 'demo__echo', arguments: { message: 'v' } }))).toBe('v');
    const hidden = await errorOf(
      v.client.callTool({ name: 'everything__echo', arguments: { message: 'v' } }),
    );
    expect(hidden.message).toBe('MCP error -32602: Tool everything__echo not found');
  }, 120_000);

  it('withdraws the dead server with list_changed and a clear error; the others keep answering; it returns', async () => {
    const c = await taggedClient(connect(rig.url('http')), 'watcher');
    clients.push(c);
    expect(texts(await c.client.callTool({ name: 'crashy__hello', arguments: { name: 'a' } }))).toBe(
      'hello a from crashy',
    );
    const base = new URL(rig.url('http'));

    writeFileSync(rig.killFile, 'off');
    await eventually(() => c.toolsChanged >= 1, 60_000, 'tools/list_changed after crashy died');
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    expect(names.filter((n) => n.startsWith('crashy__'))).toEqual([]);
    expect(names).toContain('everything__echo');
    const error = await errorOf(c.client.callTool({ name: 'crashy__hello', arguments: {} }));
    expect(error.message).toMatch(/Server "crashy" is unavailable: .*exited with code 3/);
    expect(error.data).toMatchObject({ code: 'BACKEND_UNAVAILABLE', server: 'crashy' });
    await expect(c.client.readResource({ uri: 'crashy://status' })).rejects.toThrow(
      /Server "crashy" is unavailable/,
    );
    expect(
      texts(await c.client.callTool({ name: 'everything__echo', arguments: { message: 'still' } })),
    ).toBe('Echo: still');
    expect(texts(await c.client.callTool({ name: 'demo__echo', arguments: { message: 'here' } }))).toBe(
      'here',
    );
    const degraded = await fetch(new URL('/readyz', base));
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({
      status: 'degraded',
      servers: { everything: { status: 'up' }, demo: { status: 'up' }, crashy: { status: 'down' } },
    });

    const before = c.toolsChanged;
    rmSync(rig.killFile);
    await eventually(() => c.toolsChanged > before, 60_000, 'tools/list_changed after crashy came back');
    expect((await c.client.listTools()).tools.map((t) => t.name)).toContain('crashy__hello');
    expect(texts(await c.client.callTool({ name: 'crashy__hello', arguments: { name: 'b' } }))).toBe(
      'hello b from crashy',
    );
    const ready = await (await fetch(new URL('/readyz', base))).json();
    expect(ready).toMatchObject({ status: 'ready' });
  }, 180_000);
});
