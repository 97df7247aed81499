import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { GraphqlAdapter, McpAdapterClient, RestAdapter } from '../../src/adapters/index.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { listenHttp, type HttpListener } from '../../src/transports/http/server/http-listener.js';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { getJson, graphql, postJson } from './harness.js';

// The adapters as a library: McpAdapterClient + RestAdapter/GraphqlAdapter mounted on a plain HTTP
// listener without an MCP endpoint. A gateway-style catalog (namespaced tool names) gets the
// `POST /{server}/{tool}` alias; hostile bodies and queries never make a 5xx.

function gatewayLike(): McpServer {
  const server = new McpServer({ name: 'gateway-like', version: '1.0.0' });
  for (const name of ['alpha__echo', 'beta__echo']) {
    server.registerTool(name, { inputSchema: { text: z.string() } }, ({ text }) => ({
      content: [{ type: 'text', text: `${name.split('__')[0] ?? ''}:${text}` }],
    }));
  }
  return server;
}

const memory = (create: () => McpServer) => (): InMemoryTransport => {
  const [client, server] = InMemoryTransport.createLinkedPair();
  void create().connect(server);
  return client;
};

let listener: HttpListener;
let base: string;
const sources: McpAdapterClient[] = [];

beforeAll(async () => {
  const gateway = new McpAdapterClient({
    connect: memory(gatewayLike),
    namespaces: { separator: '__', servers: ['alpha', 'beta'] },
  });
  const demo = new McpAdapterClient({ connect: memory(createDemoServer) });
  sources.push(gateway, demo);
  listener = await listenHttp(new URL('http://127.0.0.1:0/'), {
    onConnection: () => undefined,
    http: {
      mcp: false,
      mounts: [
        { path: '/gw', handle: new RestAdapter(gateway).handle },
        { path: '/', handle: new RestAdapter(demo).handle },
        { path: '/graphql', handle: new GraphqlAdapter(demo).handle },
      ],
    },
  });
  base = new URL(listener.url).origin;
});
afterAll(async () => {
  await listener?.close({ graceMs: 0 });
  await Promise.all(sources.map((s) => s.close()));
});

describe('mounted without serve', () => {
  it('answers POST /{server}/{tool} for namespaced catalogs, and /tools/{name} as usual', async () => {
    await expect(postJson(`${base}/gw/alpha/echo`, { text: 'a' })).resolves.toMatchObject({
      status: 200,
      body: 'alpha:a',
    });
    await expect(postJson(`${base}/gw/beta/echo`, { text: 'b' })).resolves.toMatchObject({
      status: 200,
      body: 'beta:b',
    });
    await expect(postJson(`${base}/gw/tools/alpha__echo`, { text: 'c' })).resolves.toMatchObject({
      body: 'alpha:c',
    });
    await expect(postJson(`${base}/gw/gamma/echo`, { text: 'x' })).resolves.toMatchObject({ status: 404 });
    const doc = (await getJson(`${base}/gw/openapi.json`)).body as { servers: { url: string }[] };
    expect(doc.servers).toEqual([{ url: '/gw' }]);
  });

  it('serves the root mount and the graphql mount side by side (longest prefix wins)', async () => {
    await expect(postJson(`${base}/echo`, { message: 'root' })).resolves.toMatchObject({
      status: 200,
      body: 'root',
    });
    await expect(graphql(`${base}/graphql`, '{ serverInfo { name } }')).resolves.toMatchObject({
      body: { data: { serverInfo: { name: 'switchboard-demo' } } },
    });
    expect((await getJson(`${base}/openapi.json`)).status).toBe(200);
  });
});

describe('hostile input', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const jsonish = fc.oneof(
    json.map((v) => JSON.stringify(v)),
    fc.string(),
    json.map((v) => JSON.stringify(v).slice(0, -1)),
    fc.constantFrom('{"message":', '[', '{"__proto__":{"x":1}}', '{"message":"\\ud800"}', 'null', '{}'),
  );

  it('REST: JSON-looking garbage bodies and paths are 2xx/4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonish,
        fc.constantFrom('/tools/echo', '/tools/add', '/echo', '/prompts/greet', '/tools/%E0%A4%A'),
        async (body, path) => {
          const res = await fetch(`${base}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await res.arrayBuffer();
          expect(res.status, `${path} ${body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('GraphQL: garbage documents and variables are answered with errors, never 5xx', async () => {
    const document = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '{',
        'mutation { echo(message: 1) { isError } }',
        '{ __typename }',
        'query ($x: JSON) { tools { name } }',
      ),
    );
    await fc.assert(
      fc.asyncProperty(document, fc.option(fc.dictionary(fc.string(), json)), async (query, variables) => {
        const res = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: JSON.stringify({ query, variables }),
        });
        await res.arrayBuffer();
        expect(res.status, query).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});
