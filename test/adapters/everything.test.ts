import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEntry } from '../../src/introspect/report.js';
import { exampleOf, walkSchema } from '../../src/schema/index.js';
import { projectFile } from '../fixtures/paths.js';
import { validateOpenApi } from '../schema/validators.js';
import { getJson, graphql, parseSse, postJson, startAdapters, type AdapterStack } from './harness.js';

// Both adapters in front of the real server-everything (a stdio child of serve, in-process serve).

const EVERYTHING_BIN = projectFile('node_modules/.bin/mcp-server-everything');

let stack: AdapterStack;
let tools: ToolEntry[];

beforeAll(async () => {
  stack = await startAdapters({ command: [EVERYTHING_BIN, 'stdio'] });
  const listed = await getJson(`${stack.rest}/tools`);
  tools = (listed.body as { tools: ToolEntry[] }).tools;
});
afterAll(async () => {
  await stack?.close();
});

// Arguments made from each tool's schema, except where the example would be slow or reach the network.
const OVERRIDES: Record<string, Record<string, unknown>> = {
  'trigger-long-running-operation': { duration: 0.2, steps: 2 },
  'gzip-file-as-resource': {
    name: 'hello.gz',
    data: 'data:text/plain;base64,aGVsbG8=',
    outputType: 'resource',
  },
};
// Tools the server itself refuses without MCP task augmentation (the REST adapter calls tools directly).
const TASK_ONLY = new Set(['simulate-research-query']);

describe('REST over server-everything', () => {
  it('calls every tool with valid arguments', async () => {
    expect(tools.length).toBeGreaterThanOrEqual(12);
    for (const tool of tools) {
      const body = OVERRIDES[tool.name] ?? exampleOf(walkSchema(tool.inputSchema));
      const res = await postJson(`${stack.rest}/tools/${encodeURIComponent(tool.name)}`, body);
      if (TASK_ONLY.has(tool.name)) {
        expect(res.status, tool.name).toBe(422);
        expect(res.text).toContain('task augmentation');
      } else expect(res.status, `${tool.name}: ${res.text.slice(0, 200)}`).toBe(200);
    }
  });

  it('refuses invalid arguments of every tool that declares any (422) and non-object bodies (400)', async () => {
    let checked = 0;
    for (const tool of tools) {
      const path = `${stack.rest}/tools/${encodeURIComponent(tool.name)}`;
      await expect(postJson(path, '[1]'), tool.name).resolves.toMatchObject({ status: 400 });
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: string }>;
      const [name, schema] = Object.entries(properties)[0] ?? [];
      if (name === undefined) continue;
      // A value of the wrong JSON type for the first property.
      const wrong = schema?.type === 'string' ? 42 : 'not-a-number';
      const res = await postJson(path, { ...(OVERRIDES[tool.name] ?? {}), [name]: wrong });
      expect(res.status, tool.name).toBe(422);
      expect(res.body).toMatchObject({
        error: {
          code: -32602,
          data: {
            errors: expect.arrayContaining([
              expect.objectContaining({ instancePath: `/${name}` }),
            ]) as unknown,
          },
        },
      });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('maps structured content, text, images, resource links and embedded resources', async () => {
    const structured = await postJson(`${stack.rest}/tools/get-structured-content`, { location: 'Chicago' });
    expect(structured.body).toMatchObject({
      temperature: expect.any(Number) as unknown,
      conditions: expect.any(String) as unknown,
    });
    await expect(postJson(`${stack.rest}/tools/get-sum`, { a: 2, b: 3 })).resolves.toMatchObject({
      body: 'The sum of 2 and 3 is 5.',
    });
    const image = (await postJson(`${stack.rest}/tools/get-tiny-image`, {})).body as unknown[];
    expect(image.some((v) => typeof v === 'string' && v.startsWith('data:image/png;base64,iVBOR'))).toBe(
      true,
    );
    const links = (await postJson(`${stack.rest}/tools/get-resource-links`, { count: 2 })).body as unknown[];
    expect(links.filter((v) => (v as { type?: string }).type === 'resource_link')).toHaveLength(2);
    const reference = (
      await postJson(`${stack.rest}/tools/get-resource-reference`, { resourceType: 'Text', resourceId: 1 })
    ).body as unknown[];
    expect(reference).toContainEqual(
      expect.objectContaining({
        type: 'resource',
        resource: expect.objectContaining({ uri: 'demo://resource/dynamic/text/1' }) as unknown,
      }),
    );
  });

  it('streams progress of trigger-long-running-operation over SSE', async () => {
    const res = await postJson(
      `${stack.rest}/tools/trigger-long-running-operation`,
      { duration: 0.3, steps: 3 },
      { accept: 'text/event-stream' },
    );
    const events = parseSse(res.text);
    expect(
      events.filter((e) => e.event === 'progress').map((e) => (e.data as { progress: number }).progress),
    ).toEqual([1, 2, 3]);
    expect(events.at(-1)?.event).toBe('result');
  });

  it('serves resources, templates and prompts', async () => {
    const resources = (await getJson(`${stack.rest}/resources`)).body as { resources: { uri: string }[] };
    const uri = resources.resources[0]?.uri ?? '';
    await expect(
      getJson(`${stack.rest}/resources/read?uri=${encodeURIComponent(uri)}`),
    ).resolves.toMatchObject({
      status: 200,
      body: { contents: [{ uri }] },
    });
    const templates = (await getJson(`${stack.rest}/resources/templates`)).body as {
      resourceTemplates: { name: string; uriTemplate: string }[];
    };
    const text = templates.resourceTemplates.find((t) => t.uriTemplate.includes('/text/'));
    expect(text).toBeDefined();
    await expect(
      getJson(`${stack.rest}/resources/templates/${encodeURIComponent(text?.name ?? '')}?resourceId=2`),
    ).resolves.toMatchObject({
      status: 200,
      body: { contents: [{ uri: 'demo://resource/dynamic/text/2' }] },
    });
    await expect(
      getJson(`${stack.rest}/resources/templates/${encodeURIComponent(text?.name ?? '')}`),
    ).resolves.toMatchObject({
      status: 422,
    });
    await expect(postJson(`${stack.rest}/prompts/args-prompt`, { city: 'Paris' })).resolves.toMatchObject({
      status: 200,
      body: { messages: [{ role: 'user' }] },
    });
    await expect(postJson(`${stack.rest}/prompts/args-prompt`, {})).resolves.toMatchObject({ status: 422 });
  });

  it('serves a valid OpenAPI 3.1 document typed from the schemas', async () => {
    const doc = (await getJson(`${stack.rest}/openapi.json`)).body as Record<string, unknown> & {
      paths: Record<
        string,
        { post?: { requestBody: { content: Record<string, { schema: unknown; example?: unknown }> } } }
      >;
      components: { schemas: Record<string, unknown> };
    };
    await expect(validateOpenApi(doc)).resolves.toMatchObject({ valid: true });
    for (const tool of tools)
      expect(doc.paths[`/tools/${encodeURIComponent(tool.name)}`], tool.name).toBeDefined();
    const sum = doc.paths['/tools/get-sum']?.post?.requestBody.content['application/json'];
    expect(sum?.schema).toEqual({ $ref: '#/components/schemas/GetSumInput' });
    expect(sum?.example).toEqual({ a: 0, b: 0 });
    expect(doc.components.schemas.GetStructuredContentOutput).toMatchObject({
      properties: { temperature: {} },
    });
  });

  it('works for an mcpo-style client: fetch /openapi.json, then POST /{tool}', async () => {
    const doc = (await getJson(`${stack.rest}/openapi.json`)).body as {
      paths: Record<string, { post?: { 'x-mcp-tool'?: string; operationId: string } }>;
    };
    const operations = Object.values(doc.paths).flatMap((item) =>
      item.post?.['x-mcp-tool'] ? [item.post] : [],
    );
    const echo = operations.find((op) => op['x-mcp-tool'] === 'echo');
    expect(echo?.operationId).toBe('call_echo');
    const res = await postJson(`${stack.rest}/echo`, { message: 'from mcpo' });
    expect(res).toMatchObject({ status: 200, body: 'Echo: from mcpo' });
    expect(res.headers.get('content-type')).toBe('application/json');
  });
});

describe('GraphQL over server-everything', () => {
  type Gql = {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };

  it('answers queries: server info, listings, prompts, resource reads', async () => {
    const res = await graphql(
      stack.graphql,
      `
        {
          serverInfo {
            name
          }
          tools {
            name
          }
          prompts {
            name
            arguments {
              name
              required
            }
          }
          prompt_args_prompt(city: "Oslo") {
            messages {
              role
              content {
                ... on TextContent {
                  text
                }
              }
            }
          }
          resourceTemplates {
            uriTemplate
          }
        }
      `,
    );
    expect(res.status).toBe(200);
    const body = res.body as Gql;
    expect(body.errors).toBeUndefined();
    expect(body.data?.serverInfo).toEqual({ name: 'mcp-servers/everything' });
    expect((body.data?.tools as { name: string }[]).map((t) => t.name)).toEqual(tools.map((t) => t.name));
    expect(JSON.stringify(body.data?.prompt_args_prompt)).toContain('Oslo');
  });

  it('runs mutations: text, enum arguments, structured output, images', async () => {
    const res = await graphql(
      stack.graphql,
      `
        mutation ($m: String!) {
          echo(message: $m) {
            content {
              __typename
              ... on TextContent {
                text
              }
            }
            isError
          }
          get_structured_content(location: Los_Angeles) {
            structuredContent {
              temperature
              conditions
            }
          }
          get_tiny_image {
            content {
              __typename
              ... on ImageContent {
                mimeType
              }
            }
          }
        }
      `,
      { m: 'graph' },
    );
    const body = res.body as Gql;
    expect(body.errors).toBeUndefined();
    expect(body.data?.echo).toEqual({
      content: [{ __typename: 'TextContent', text: 'Echo: graph' }],
      isError: null,
    });
    expect(body.data?.get_structured_content).toMatchObject({
      structuredContent: { temperature: expect.any(Number) as unknown },
    });
    expect(JSON.stringify(body.data?.get_tiny_image)).toContain('"mimeType":"image/png"');
  });

  it('reports MCP errors in errors[].extensions', async () => {
    const res = await graphql(stack.graphql, '{ readResource(uri: "demo://nope") { contents { uri } } }');
    const error = (res.body as Gql).errors?.[0];
    expect(error?.extensions).toMatchObject({
      code: 'MCP_ERROR',
      mcp: { code: expect.any(Number) as unknown },
    });
  });

  it('enforces the complexity limit', async () => {
    const aliases = Array.from({ length: 600 }, (_, i) => `a${i}: tools { name description }`).join(' ');
    const costly = await graphql(stack.graphql, `{ ${aliases} }`);
    expect(costly.status).toBe(400);
    expect((costly.body as Gql).errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
  });
});
