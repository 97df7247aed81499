import type { ResourceTemplateEntry, ToolEntry } from '../introspect/report.js';
import { exampleOf } from './examples.js';
import { walkSchema } from './json-schema.js';
import { MCP_RESULT_SCHEMAS } from './mcp-result-schemas.js';
import { identifier, pascalCase } from './names.js';
import {
  defined,
  documentInfo,
  esc,
  escapeDescription,
  jsonContent,
  OpenApiDocument,
  ref,
  type Obj,
} from './openapi-document.js';
import type { ServerSurface } from './surface.js';
import { uriTemplateVariables } from './uri-template.js';

/** What the REST adapter's document describes beyond the server's surface. */
export interface AdapterLayoutOptions {
  /** How image and audio blocks appear in tool responses (default `data-uri`). */
  binaryContent?: 'data-uri' | 'object' | undefined;
  /** HTTP status of a tool result with `isError: true` (default 422). */
  toolErrorStatus?: number | undefined;
  /** The security schemes callers use: bearer tokens (JWT or API keys) and/or an API key header. */
  auth?: { bearer?: boolean | undefined; apiKeyHeader?: string | undefined } | undefined;
  /** Namespaced tool names (a gateway): tools are tagged by server, `POST /{server}/{tool}` works too. */
  namespaces?: { separator: string; servers: readonly string[] } | undefined;
}

const listOf = (item: Obj, key: string, description: string): Obj => ({
  description,
  type: 'object',
  required: [key],
  properties: { [key]: { type: 'array', items: item }, nextCursor: { type: 'string' } },
  additionalProperties: true,
});

const loose = (required: string[], properties: Obj): Obj => ({
  type: 'object',
  required,
  properties,
  additionalProperties: true,
});

// The adapter's own components, next to the MCP result schemas.
function adapterComponents(options: AdapterLayoutOptions): Record<string, unknown> {
  const binary =
    options.binaryContent === 'object'
      ? 'image and audio → `{ "type", "mimeType", "data" }` (base64) as MCP sends them'
      : 'image and audio → a `data:<mimeType>;base64,…` URI string';
  return {
    ToolContent: {
      description:
        'The content of a tool result without an output schema, mapped to plain JSON: one content block → ' +
        'its value, several → an array of them, none → null. Text → the JSON it holds when it parses, ' +
        `else the string; ${binary}; resource links and embedded resources → as MCP sends them.`,
    },
    AdapterError: {
      description:
        'An error: a JSON-RPC error of the server or the proxy (`code`, `message`, `data`), invalid ' +
        'arguments (`data.errors`, from JSON Schema validation), or a tool result with `isError: true` ' +
        '(`result` holds the whole result; no `code`).',
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['message'],
          properties: {
            code: { type: 'integer', description: 'The JSON-RPC error code, when there is one.' },
            message: { type: 'string' },
            data: {},
          },
        },
        result: ref('CallToolResult'),
      },
    },
    Tool: loose(['name', 'inputSchema'], {
      name: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      inputSchema: { type: 'object' },
      outputSchema: { type: 'object' },
      annotations: { type: 'object' },
    }),
    Resource: loose(['uri', 'name'], {
      uri: { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      mimeType: { type: 'string' },
    }),
    ResourceTemplate: loose(['uriTemplate', 'name'], {
      uriTemplate: { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      mimeType: { type: 'string' },
    }),
    Prompt: loose(['name'], {
      name: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      arguments: {
        type: 'array',
        items: loose(['name'], {
          name: { type: 'string' },
          description: { type: 'string' },
          required: { type: 'boolean' },
        }),
      },
    }),
    ToolList: listOf(ref('Tool'), 'tools', 'The tools (tools/list).'),
    ResourceList: listOf(ref('Resource'), 'resources', 'The resources (resources/list).'),
    ResourceTemplateList: listOf(
      ref('ResourceTemplate'),
      'resourceTemplates',
      'The resource templates (resources/templates/list).',
    ),
    PromptList: listOf(ref('Prompt'), 'prompts', 'The prompts (prompts/list).'),
  };
}

const errorResponse = (description: string, retryAfter = false): Obj =>
  defined({
    description,
    headers: retryAfter
      ? { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } }
      : undefined,
    content: jsonContent(ref('AdapterError')),
  });

// The error answers every operation can give (see docs/adapters.md for the full mapping).
function commonErrors(): Obj {
  return {
    '401': errorResponse('Authentication required or failed'),
    '403': errorResponse('Not allowed (Origin, or the authorization policy)'),
    '429': errorResponse('Rate limited', true),
    '503': errorResponse('The backend is unavailable (down, restarting, or not connected yet)', true),
    '504': errorResponse('The backend did not answer in time'),
    default: errorResponse('Another error of the server (JSON-RPC error mapped to a status)'),
  };
}

const listOperation = (operationId: string, summary: string, tag: string, schema: string): Obj => ({
  get: {
    operationId,
    summary,
    tags: [tag],
    responses: { '200': { description: summary, content: jsonContent(ref(schema)) }, ...commonErrors() },
  },
});

/**
 * The OpenAPI 3.1 document of the REST adapter for a server's surface (see {@link generateOpenApi}'s
 * `adapter` option): `POST /tools/{name}` per tool (arguments as the JSON body; the answer is the
 * structured content typed by the output schema, or the mapped content; `text/event-stream` streams
 * progress), `GET /tools`, `GET /resources`, `GET /resources/read?uri=`, `GET /resources/templates`,
 * `GET /resources/templates/{name}?<variables>` per template, `GET /prompts`, `POST /prompts/{name}` per
 * prompt; the status codes of every mapped error; bearer/API-key security when the adapter authenticates.
 *
 * @param surface - the server's surface (a live catalog or an inspect report)
 * @param layout - content mapping, tool error status, auth, namespaces
 * @param options - `withExamples`, `baseUrl` (where the adapter is mounted, e.g. `/rest`)
 */
export function generateAdapterOpenApi(
  surface: ServerSurface,
  layout: AdapterLayoutOptions,
  options: { withExamples?: boolean | undefined; baseUrl?: string | undefined },
): Obj {
  const doc = new OpenApiDocument({ ...MCP_RESULT_SCHEMAS, ...adapterComponents(layout) }, [
    'listTools',
    'listResources',
    'readResource',
    'listResourceTemplates',
    'listPrompts',
  ]);
  const serverTags = new Set<string>();
  doc.addPath('/tools', listOperation('listTools', 'List the tools', 'tools', 'ToolList'));
  for (const tool of surface.tools) {
    doc.addPath(`/tools/${encodeURIComponent(tool.name)}`, { post: toolOperation(tool) });
  }
  doc.addPath(
    '/resources',
    listOperation('listResources', 'List the resources', 'resources', 'ResourceList'),
  );
  doc.addPath('/resources/read', {
    get: {
      operationId: 'readResource',
      summary: 'Read a resource by URI',
      tags: ['resources'],
      parameters: [
        {
          name: 'uri',
          in: 'query',
          required: true,
          description: 'The resource URI',
          schema: defined({
            type: 'string',
            examples:
              surface.resources.length > 0 ? surface.resources.slice(0, 20).map((r) => r.uri) : undefined,
          }),
        },
      ],
      responses: {
        '200': { description: 'The resource contents', content: jsonContent(ref('ReadResourceResult')) },
        '404': errorResponse('No such resource'),
        ...commonErrors(),
      },
    },
  });
  doc.addPath(
    '/resources/templates',
    listOperation(
      'listResourceTemplates',
      'List the resource templates',
      'resource templates',
      'ResourceTemplateList',
    ),
  );
  for (const template of surface.resourceTemplates) {
    doc.addPath(`/resources/templates/${encodeURIComponent(template.name)}`, {
      get: templateOperation(template),
    });
  }
  doc.addPath('/prompts', listOperation('listPrompts', 'List the prompts', 'prompts', 'PromptList'));
  for (const prompt of surface.prompts) {
    const args = doc.promptArguments(prompt);
    doc.addPath(`/prompts/${encodeURIComponent(prompt.name)}`, {
      post: defined({
        operationId: doc.operationIds.claim(`get_prompt_${identifier(prompt.name)}`),
        summary: escapeDescription(prompt.title ?? prompt.name),
        description: esc(prompt.description),
        tags: ['prompts'],
        'x-mcp-prompt': prompt.name,
        requestBody:
          args === undefined ? undefined : { required: args.required, content: jsonContent(ref(args.name)) },
        responses: {
          '200': { description: 'The prompt messages', content: jsonContent(ref('GetPromptResult')) },
          '404': errorResponse('No such prompt'),
          '422': errorResponse('Invalid arguments'),
          ...commonErrors(),
        },
      }),
    });
  }

  const security = securitySchemes(layout);
  return defined({
    openapi: '3.1.0',
    // No jsonSchemaDialect: OpenAPI's default dialect (2020-12 plus its vocabulary) is what documentation
    // UIs support; Swagger UI warns on any other value.
    info: documentInfo(surface),
    servers: options.baseUrl === undefined ? undefined : [{ url: options.baseUrl }],
    tags: [
      ...[...serverTags].map((name) => ({ name, description: `Tools of the server "${name}"` })),
      { name: 'tools', description: 'MCP tools (tools/call)' },
      { name: 'resources', description: 'MCP resources (resources/list, resources/read)' },
      { name: 'resource templates', description: 'MCP resource templates (resources/templates/list)' },
      { name: 'prompts', description: 'MCP prompts (prompts/list, prompts/get)' },
    ],
    paths: doc.paths,
    components: defined({ schemas: doc.components, securitySchemes: security?.schemes }),
    security: security?.requirement,
  });

  function toolOperation(tool: ToolEntry): Obj {
    const base = pascalCase(tool.name, 'Tool');
    const input = doc.component(`${base}Input`, tool.inputSchema);
    const output =
      tool.outputSchema === undefined ? undefined : doc.component(`${base}Output`, tool.outputSchema);
    const example = options.withExamples === true ? exampleOf(walkSchema(tool.inputSchema)) : undefined;
    const required = Array.isArray(tool.inputSchema.required) && tool.inputSchema.required.length > 0;
    const hints = tool.annotations ?? {};
    const server = serverOf(tool.name, layout);
    if (server !== undefined) serverTags.add(server);
    return defined({
      operationId: doc.operationIds.claim(`call_${identifier(tool.name)}`),
      summary: escapeDescription(tool.title ?? hints.title ?? tool.name),
      description: esc(tool.description),
      tags: [server ?? 'tools'],
      'x-mcp-tool': tool.name,
      'x-mcp-readOnlyHint': hints.readOnlyHint,
      'x-mcp-destructiveHint': hints.destructiveHint,
      'x-mcp-idempotentHint': hints.idempotentHint,
      'x-mcp-openWorldHint': hints.openWorldHint,
      requestBody: { required, content: jsonContent(ref(input), example) },
      responses: {
        '200': {
          description:
            (output === undefined
              ? 'The tool result content, mapped to JSON (see ToolContent).'
              : 'The structured content of the tool result.') +
            ' With `Accept: text/event-stream`: `progress` events (`{ progress, total?, message? }`), then one ' +
            '`result` event (this body) or one `error` event (`{ status, error }`); closing the stream cancels the call.',
          content: {
            ...jsonContent(ref(output ?? 'ToolContent')),
            'text/event-stream': { schema: { type: 'string' } },
          },
        },
        '400': errorResponse('The body is not a JSON object'),
        '404': errorResponse('No such tool'),
        '422': errorResponse(
          layout.toolErrorStatus === undefined || layout.toolErrorStatus === 422
            ? 'Invalid arguments, or the tool reported an error (isError)'
            : 'Invalid arguments',
        ),
        ...(layout.toolErrorStatus !== undefined &&
        layout.toolErrorStatus !== 422 &&
        layout.toolErrorStatus >= 400
          ? { [String(layout.toolErrorStatus)]: errorResponse('The tool reported an error (isError)') }
          : {}),
        ...commonErrors(),
      },
    });
  }

  function templateOperation(template: ResourceTemplateEntry): Obj {
    return defined({
      operationId: doc.operationIds.claim(`read_${identifier(template.name)}`),
      summary: escapeDescription(template.title ?? template.name),
      description: esc(template.description),
      tags: ['resource templates'],
      'x-mcp-resource-template': template.uriTemplate,
      'x-mcp-mime-type': template.mimeType,
      parameters: uriTemplateVariables(template.uriTemplate).map((v) => ({
        name: v.name,
        in: 'query',
        required: v.required,
        schema: { type: 'string' },
      })),
      responses: {
        '200': { description: 'The resource contents', content: jsonContent(ref('ReadResourceResult')) },
        '404': errorResponse('No such resource'),
        ...commonErrors(),
      },
    });
  }
}

/** The server a namespaced tool name belongs to (`<server><separator><tool>`), if any. */
export function serverOf(name: string, layout: Pick<AdapterLayoutOptions, 'namespaces'>): string | undefined {
  const ns = layout.namespaces;
  if (ns === undefined) return undefined;
  return ns.servers.find(
    (s) => name.startsWith(`${s}${ns.separator}`) && name.length > s.length + ns.separator.length,
  );
}

function securitySchemes(layout: AdapterLayoutOptions): { schemes: Obj; requirement: Obj[] } | undefined {
  const schemes: Obj = {};
  if (layout.auth?.bearer === true) {
    schemes.bearerAuth = {
      type: 'http',
      scheme: 'bearer',
      description: 'A JWT or an API key as a bearer token',
    };
  }
  if (layout.auth?.apiKeyHeader !== undefined) {
    schemes.apiKeyAuth = { type: 'apiKey', in: 'header', name: layout.auth.apiKeyHeader };
  }
  const names = Object.keys(schemes);
  if (names.length === 0) return undefined;
  return { schemes, requirement: names.map((name) => ({ [name]: [] })) };
}
