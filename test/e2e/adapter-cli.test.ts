import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/cli-runner.js';
import { CLI, EVERYTHING, freePort } from './processes.js';

// The built CLI (dist/cli.js): `switchboard adapter rest|graphql` and `serve --rest --graphql`, as
// users and mcpo-style clients (Open WebUI's OpenAPI tool servers) meet them.

interface Running {
  proc: ChildProcess;
  stderr: string[];
  origin: string;
}

const running: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(
    running.splice(0).map(
      (proc) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
          proc.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          proc.kill('SIGTERM');
        }),
    ),
  );
});

/** Runs the CLI until its log says `ready` (a regexp on a JSON log line). */
async function start(args: string[], ready: RegExp): Promise<Running> {
  const proc = spawn(process.execPath, [CLI, ...args, '--log-format', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.push(proc);
  const stderr: string[] = [];
  let rest = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    stderr.push(...lines);
  });
  const deadline = Date.now() + 30_000;
  while (!stderr.some((l) => ready.test(l))) {
    if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}: ${stderr.slice(-5).join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`not ready: ${stderr.slice(-5).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const listening = stderr.find((l) => l.includes('"msg":"listening"')) ?? '{}';
  return { proc, stderr, origin: new URL((JSON.parse(listening) as { url: string }).url).origin };
}

describe('switchboard adapter rest', () => {
  it('serves server-everything to an mcpo-style client: GET /openapi.json, then POST /{tool}', async () => {
    const port = await freePort();
    const { origin } = await start(
      ['adapter', 'rest', '--bind', `127.0.0.1:${port}`, '--', process.execPath, EVERYTHING, 'stdio'],
      /"msg":"adapters connected"/,
    );
    expect(origin).toBe(`http://127.0.0.1:${port}`);
    const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      openapi: string;
      info: { title: string };
      servers: { url: string }[];
      paths: Record<string, { post?: { operationId: string; 'x-mcp-tool'?: string } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/' }]);
    const tool = Object.values(doc.paths).find((p) => p.post?.['x-mcp-tool'] === 'get-sum')?.post;
    expect(tool?.operationId).toBe('call_get_sum');
    // mcpo's route: the tool name right under the base URL.
    const res = await fetch(`${origin}/get-sum`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 20, b: 22 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('The sum of 20 and 22 is 42.');
    // Only the adapter: no MCP endpoint on this listener; health stays.
    expect((await fetch(`${origin}/mcp`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${origin}/docs`)).headers.get('content-type')).toContain('text/html');
  }, 120_000);

  it('refuses bad flags with exit code 2', async () => {
    const bind = await runCli(['adapter', 'rest', '--bind', 'nowhere']);
    expect(bind.code).toBe(2);
    expect(bind.stderr).toContain('--bind "nowhere"');
    const depth = await runCli(['serve', '--max-depth', '3']);
    expect(depth.code).toBe(2);
    expect(depth.stderr).toContain('the graphql adapter is not on (use --graphql)');
  }, 120_000);
});

describe('switchboard adapter graphql and serve --rest --graphql', () => {
  it('adapter graphql serves POST /graphql for the demo server', async () => {
    const port = await freePort();
    const { origin } = await start(
      ['adapter', 'graphql', '--bind', `127.0.0.1:${port}`],
      /"msg":"adapters connected"/,
    );
    const res = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { add(a: 1, b: 2) { structuredContent { sum } } }' }),
    });
    expect(await res.json()).toEqual({ data: { add: { structuredContent: { sum: 3 } } } });
  }, 120_000);

  it('serve mounts both adapters next to /mcp on one port', async () => {
    const port = await freePort();
    const { origin, stderr } = await start(
      ['serve', '--bind', `127.0.0.1:${port}`, '--rest', '--graphql', '/gql'],
      /"msg":"adapters connected"/,
    );
    expect(
      stderr.filter((l) => l.includes('"msg":"adapter"')).map((l) => (JSON.parse(l) as { url: string }).url),
    ).toEqual([`${origin}/rest`, `${origin}/gql`]);
    const rest = await fetch(`${origin}/rest/tools/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'both' }),
    });
    expect(await rest.json()).toBe('both');
    const gql = await fetch(`${origin}/gql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serverInfo { name } }' }),
    });
    expect(await gql.json()).toEqual({ data: { serverInfo: { name: 'switchboard-demo' } } });
    // The front door links the adapters' pages.
    const door = await fetch(`${origin}/`, { headers: { accept: 'application/json' } });
    expect(((await door.json()) as { links: Record<string, string> }).links).toMatchObject({
      docs: '/rest/docs',
      'openapi.json': '/rest/openapi.json',
      graphql: '/gql',
    });
    const mcp = await fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    expect(mcp.status).toBe(200);
  }, 120_000);

  it('serve with servers: (a gateway) mounts the adapters over the merged catalog', async () => {
    const port = await freePort();
    const demo = `${process.execPath} ${CLI} demo`;
    const { origin } = await start(
      [
        'serve',
        '--bind',
        `127.0.0.1:${port}`,
        '--server',
        `alpha=${demo}`,
        '--server',
        `beta=${demo}`,
        '--rest',
        '--graphql',
      ],
      /"msg":"adapters connected"/,
    );
    const doc = (await (await fetch(`${origin}/rest/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/tools/alpha__echo',
        '/tools/beta__echo',
        '/tools/alpha__add',
        '/tools/beta__add',
        '/prompts/alpha__greet',
      ]),
    );
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${origin}/rest${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const named = await post('/tools/alpha__echo', { message: 'namespaced' });
    expect([named.status, await named.text()]).toEqual([200, '"namespaced"']);
    const alias = await post('/beta/echo', { message: 'mcpo-style' });
    expect([alias.status, await alias.text()]).toEqual([200, '"mcpo-style"']);
    const gql = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation { alpha__add(a: 1, b: 2) { structuredContent { sum } } ' +
          'beta__echo(message: "graphql") { content { ... on TextContent { text } } } }',
      }),
    });
    expect(await gql.json()).toEqual({
      data: {
        alpha__add: { structuredContent: { sum: 3 } },
        beta__echo: { content: [{ text: 'graphql' }] },
      },
    });
  }, 120_000);
});
