import type { PromptEntry, ResourceTemplateEntry, ToolEntry } from '../introspect/report.js';
import { exampleOf } from './examples.js';
import { walkSchema } from './json-schema.js';
import { MCP_RESULT_SCHEMAS } from './mcp-result-schemas.js';
import { identifier, pascalCase } from './names.js';
import { generateAdapterOpenApi, type AdapterLayoutOptions } from './openapi-adapter.js';
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
import { parseUriTemplate, uriTemplateVariables } from './uri-template.js';

export { escapeDescription };
export type { AdapterLayoutOptions };

/** Options of {@link generateOpenApi}. */
export interface OpenApiOptions {
  /** Add a request example to every operation, made from its schema (default false). */
  withExamples?: boolean | undefined;
  /** The `servers[0].url` (default: none, i.e. relative to where the document is served). */
  baseUrl?: string | undefined;
  /**
   * Describe the REST adapter (`switchboard adapter rest`) instead: its paths, mapped tool responses,
   * status codes, progress streams and security schemes (see {@link AdapterLayoutOptions}).
   */
  adapter?: AdapterLayoutOptions | undefined;
}

const ERROR_RESPONSE = {
  description: 'A JSON-RPC error, or a tool result with isError: true',
  content: jsonContent(ref('McpError')),
};

/**
 * Generates an OpenAPI 3.1 document for a server's surface:
 * - each tool → `POST /tools/{name}`, request body = its input JSON Schema (`$defs` and `$ref`s kept,
 *   re-rooted under `components.schemas`), response = its output schema (the structured content)
 *   or the `CallToolResult` shape; tool hints as `x-mcp-readOnlyHint`, `x-mcp-destructiveHint`,
 *   `x-mcp-idempotentHint`, `x-mcp-openWorldHint`;
 * - each resource → `GET /resources/{percent-encoded URI}`, plus `GET /resources?uri=` for any URI;
 * - each resource template → `GET /resources/{encoded template}` with its simple variables as path
 *   parameters and the others as query parameters;
 * - each prompt → `POST /prompts/{name}` with its arguments as a JSON object.
 * The original MCP names are kept in `x-mcp-tool`, `x-mcp-resource`, `x-mcp-resource-template`,
 * `x-mcp-prompt`.
 *
 * @param surface - the server's surface (an inspect report)
 * @param options - examples, base URL
 * @returns the document, ready for `JSON.stringify` or YAML
 * @example
 * ```ts
 * const doc = generateOpenApi(await inspectServer(transport, { target }), { withExamples: true });
 * ```
 */
export function generateOpenApi(surface: ServerSurface, options: OpenApiOptions = {}): Obj {
  if (options.adapter !== undefined) return generateAdapterOpenApi(surface, options.adapter, options);
  const doc = new OpenApiDocument(MCP_RESULT_SCHEMAS, ['readResource']);
  const { operationIds, paths } = doc;
  const addPath = (path: string, item: Obj): boolean => doc.addPath(path, item);
  const component = (base: string, schema: unknown): string => doc.component(base, schema);

  for (const tool of surface.tools)
    addPath(`/tools/${encodeURIComponent(tool.name)}`, { post: toolOperation(tool) });

  addPath('/resources', {
    get: {
      operationId: 'readResource',
      summary: 'Read any resource by URI',
      tags: ['resources'],
      parameters: [
        {
          name: 'uri',
          in: 'query',
          required: true,
          description: 'The resource URI',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': { description: 'The resource contents', content: jsonContent(ref('ReadResourceResult')) },
        default: ERROR_RESPONSE,
      },
    },
  });
  for (const resource of surface.resources) {
    addPath(`/resources/${encodeURIComponent(resource.uri)}`, {
      get: defined({
        operationId: operationIds.claim(`read_${identifier(resource.name)}`),
        summary: escapeDescription(resource.title ?? resource.name),
        description: esc(resource.description),
        tags: ['resources'],
        'x-mcp-resource': resource.uri,
        'x-mcp-mime-type': resource.mimeType,
        responses: {
          '200': { description: 'The resource contents', content: jsonContent(ref('ReadResourceResult')) },
          default: ERROR_RESPONSE,
        },
      }),
    });
  }
  for (const template of surface.resourceTemplates) {
    const { path, parameters } = templatePath(template, doc);
    addPath(path, {
      get: defined({
        operationId: operationIds.claim(`read_${identifier(template.name)}`),
        summary: escapeDescription(template.title ?? template.name),
        description: esc(template.description),
        tags: ['resource templates'],
        'x-mcp-resource-template': template.uriTemplate,
        'x-mcp-mime-type': template.mimeType,
        parameters,
        responses: {
          '200': { description: 'The resource contents', content: jsonContent(ref('ReadResourceResult')) },
          default: ERROR_RESPONSE,
        },
      }),
    });
  }
  for (const prompt of surface.prompts)
    addPath(`/prompts/${encodeURIComponent(prompt.name)}`, { post: promptOperation(prompt) });

  const usedTags = [
    ['tools', 'MCP tools (tools/call)', surface.tools.length],
    ['resources', 'MCP resources (resources/read)', 1],
    ['resource templates', 'MCP resource templates (resources/read)', surface.resourceTemplates.length],
    ['prompts', 'MCP prompts (prompts/get)', surface.prompts.length],
  ] as const;
  return defined({
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: documentInfo(surface),
    servers: options.baseUrl === undefined ? undefined : [{ url: options.baseUrl }],
    tags: usedTags.filter(([, , n]) => n > 0).map(([name, description]) => ({ name, description })),
    paths,
    components: { schemas: doc.components },
  });

  function toolOperation(tool: ToolEntry): Obj {
    const base = pascalCase(tool.name, 'Tool');
    const input = component(`${base}Input`, tool.inputSchema);
    const output =
      tool.outputSchema === undefined ? undefined : component(`${base}Output`, tool.outputSchema);
    const example = options.withExamples === true ? exampleOf(walkSchema(tool.inputSchema)) : undefined;
    const hints = tool.annotations ?? {};
    return defined({
      operationId: operationIds.claim(`call_${identifier(tool.name)}`),
      summary: escapeDescription(tool.title ?? hints.title ?? tool.name),
      description: esc(tool.description),
      tags: ['tools'],
      'x-mcp-tool': tool.name,
      'x-mcp-readOnlyHint': hints.readOnlyHint,
      'x-mcp-destructiveHint': hints.destructiveHint,
      'x-mcp-idempotentHint': hints.idempotentHint,
      'x-mcp-openWorldHint': hints.openWorldHint,
      requestBody: { required: true, content: jsonContent(ref(input), example) },
      responses: {
        '200':
          output === undefined
            ? { description: 'The tool result', content: jsonContent(ref('CallToolResult')) }
            : { description: 'The structured content of the tool result', content: jsonContent(ref(output)) },
        default: ERROR_RESPONSE,
      },
    });
  }

  function promptOperation(prompt: PromptEntry): Obj {
    const args = doc.promptArguments(prompt);
    const example =
      args !== undefined && options.withExamples === true
        ? Object.fromEntries((prompt.arguments ?? []).map((a) => [a.name, 'string']))
        : undefined;
    const requestBody =
      args === undefined
        ? undefined
        : { required: args.required, content: jsonContent(ref(args.name), example) };
    return defined({
      operationId: operationIds.claim(`get_prompt_${identifier(prompt.name)}`),
      summary: escapeDescription(prompt.title ?? prompt.name),
      description: esc(prompt.description),
      tags: ['prompts'],
      'x-mcp-prompt': prompt.name,
      requestBody,
      responses: {
        '200': { description: 'The prompt messages', content: jsonContent(ref('GetPromptResult')) },
        default: ERROR_RESPONSE,
      },
    });
  }
}

// `/resources/<encoded literal parts with {var} path parameters>`; variables of other expansions are
// query parameters. When that path would clash, `/resource-templates/<name>` with query parameters.
function templatePath(
  template: ResourceTemplateEntry,
  doc: OpenApiDocument,
): { path: string; parameters: Obj[] } {
  const parameter = (name: string, where: 'path' | 'query', required: boolean): Obj => ({
    name,
    in: where,
    required,
    schema: { type: 'string' },
  });
  const inPath = new Set<string>();
  let path = '/resources/';
  for (const part of parseUriTemplate(template.uriTemplate)) {
    if (part.kind === 'literal') path += encodeURIComponent(part.text);
    const single = part.kind === 'expression' && part.variables.length === 1 ? part.variables[0] : undefined;
    if (
      single !== undefined &&
      part.kind === 'expression' &&
      (part.operator === '' || part.operator === '+') &&
      !inPath.has(single)
    ) {
      path += `{${single}}`;
      inPath.add(single);
    }
  }
  const variables = uriTemplateVariables(template.uriTemplate);
  if (doc.hasPath(path)) {
    return {
      path: `/resource-templates/${encodeURIComponent(template.name)}`,
      parameters: variables.map((v) => parameter(v.name, 'query', v.required)),
    };
  }
  return {
    path,
    parameters: variables.map((v) =>
      inPath.has(v.name) ? parameter(v.name, 'path', true) : parameter(v.name, 'query', v.required),
    ),
  };
}
