import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapterServer, type AdapterServer } from '../fixtures/adapter-server.js';
import { eventually, getJson, graphql, startAdapters, type AdapterStack } from './harness.js';

// The GraphQL adapter in front of the fixture backend over TCP: a tool list that changes at runtime,
// $defs input objects, enum values with spaces, tool errors; the depth limit lowered to 3.

type Gql = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

let backend: AdapterServer;
let stack: AdapterStack;

beforeAll(async () => {
  backend = await startAdapterServer();
  stack = await startAdapters({ positional: [backend.uri] }, { adapters: { graphql: { maxDepth: 3 } } });
});
afterAll(async () => {
  await stack?.close();
  await backend?.close();
});

const mutationFields = async (): Promise<string[]> => {
  const res = await graphql(stack.graphql, '{ __type(name: "Mutation") { fields { name } } }');
  return ((res.body as Gql).data?.__type as { fields: { name: string }[] }).fields.map((f) => f.name);
};

describe('GraphQL adapter', () => {
  it('maps $defs input objects, enum values and structured output both ways', async () => {
    const res = await graphql(
      stack.graphql,
      `
        mutation {
          order(item: { sku: "ABC-7", qty: 3 }) {
            content {
              ... on TextContent {
                text
              }
            }
          }
          weather {
            structuredContent {
              celsius
              sky
            }
          }
        }
      `,
    );
    const body = res.body as Gql;
    expect(body.errors).toBeUndefined();
    expect(body.data?.order).toEqual({ content: [{ text: '{"ok":true,"item":{"sku":"ABC-7","qty":3}}' }] });
    // The MCP enum value "clear sky" is the GraphQL enum value clear_sky.
    expect(body.data?.weather).toEqual({ structuredContent: { celsius: 21, sky: 'clear_sky' } });
  });

  it('checks arguments against the JSON Schema too (422 with MCP code -32602 in extensions)', async () => {
    const res = await graphql(stack.graphql, 'mutation { order(item: { sku: "bad", qty: 1 }) { isError } }');
    const error = (res.body as Gql).errors?.[0];
    expect(error?.message).toBe('Invalid arguments for tool "order"');
    expect(error?.extensions).toMatchObject({
      code: 'MCP_ERROR',
      status: 422,
      mcp: { code: -32602, data: { errors: [{ instancePath: '/item/sku', keyword: 'pattern' }] } },
    });
  });

  it('returns tool errors as data (isError) and JSON-RPC errors in errors[] with their code', async () => {
    const failed = await graphql(
      stack.graphql,
      'mutation { fail(reason: "nope") { isError content { ... on TextContent { text } } } }',
    );
    expect((failed.body as Gql).data?.fail).toEqual({ isError: true, content: [{ text: 'failed: nope' }] });
    const missing = await graphql(
      stack.graphql,
      '{ readResource(uri: "fixture://none") { contents { uri } } }',
    );
    expect((missing.body as Gql).errors?.[0]?.extensions).toMatchObject({
      code: 'MCP_ERROR',
      status: 404,
      mcp: { code: -32002 },
    });
  });

  it('rebuilds the schema when the tool list changes', async () => {
    expect(await mutationFields()).not.toContain('sparkle');
    await graphql(stack.graphql, 'mutation { add_tool(name: "sparkle") { isError } }');
    await eventually(
      async () => ((await mutationFields()).includes('sparkle') ? true : undefined),
      'sparkle',
    );
    const res = await graphql(
      stack.graphql,
      'mutation { sparkle(n: 2) { content { ... on TextContent { text } } } }',
    );
    expect((res.body as Gql).data?.sparkle).toEqual({ content: [{ text: 'sparkle: {"n":2}' }] });
    await graphql(stack.graphql, 'mutation { remove_tool(name: "sparkle") { isError } }');
    await eventually(
      async () => (!(await mutationFields()).includes('sparkle') ? true : undefined),
      'removal',
    );
  });

  it('enforces the depth limit, not counting introspection', async () => {
    const ok = await graphql(stack.graphql, '{ prompts { arguments { name } } }');
    expect((ok.body as Gql).errors).toBeUndefined();
    const tooDeep = await graphql(
      stack.graphql,
      'mutation { mixed { content { ... on EmbeddedResource { resource { uri } } } } }',
    );
    expect(tooDeep.status).toBe(400);
    expect((tooDeep.body as Gql).errors?.[0]).toMatchObject({
      message: 'The operation is nested more than 3 levels deep (the limit)',
      extensions: { code: 'QUERY_TOO_DEEP', limit: 3 },
    });
    // A fragment cycle does not hang the rule (graphql-js reports the cycle itself).
    const cycle = await graphql(stack.graphql, 'query { ...A } fragment A on Query { tools { name } ...A }');
    expect(cycle.status).toBe(400);
    const introspection = await graphql(
      stack.graphql,
      '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }',
    );
    expect((introspection.body as Gql).errors).toBeUndefined();
  });

  it('serves GraphiQL to browsers from the graphiql package, under a strict CSP', async () => {
    const page = await getJson(stack.graphql, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.text).toContain('/graphql/graphiql/graphiql.min.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const asset = await fetch(`${stack.graphql}/graphiql/graphiql.min.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript');
    expect((await asset.text()).length).toBeGreaterThan(100_000);
    await expect(getJson(`${stack.graphql}/graphiql/../../package.json`)).resolves.toMatchObject({
      status: 404,
    });
  });
});
