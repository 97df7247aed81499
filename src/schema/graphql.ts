import { parse, print } from 'graphql';
import type { ToolEntry } from '../introspect/report.js';
import { GraphqlTypeBuilder, gqlDescription, gqlName, gqlString, mcpNameDirective } from './graphql-types.js';
import { walkSchema } from './json-schema.js';
import { NameScope, pascalCase } from './names.js';
import type { SchemaModel, Shape, ShapeProperty } from './shape.js';
import type { ServerSurface } from './surface.js';
import { uriTemplateVariables } from './uri-template.js';

const PRELUDE = `"""
Any JSON value. Used where a JSON Schema has no GraphQL equivalent: oneOf/anyOf unions, tuples
(prefixItems), maps (additionalProperties only), untyped values and objects without properties.
"""
scalar JSON

"""The MCP name of a field, argument or enum value whose GraphQL name had to be sanitised."""
directive @mcpName(name: String!) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE

"""This field calls the MCP tool \`name\` (tools/call); its arguments are the tool's arguments."""
directive @mcpTool(name: String!) on FIELD_DEFINITION

"""This field reads the MCP resource \`uri\` (resources/read)."""
directive @mcpResource(uri: String!) on FIELD_DEFINITION

"""This field reads a resource of the MCP resource template \`uriTemplate\`; its arguments are the template variables."""
directive @mcpResourceTemplate(uriTemplate: String!) on FIELD_DEFINITION

"""This field gets the MCP prompt \`name\` (prompts/get); its arguments are the prompt arguments."""
directive @mcpPrompt(name: String!) on FIELD_DEFINITION

type ServerInfo {
  name: String!
  version: String!
  title: String
  protocolVersion: String
  instructions: String
}

type TextContent {
  type: String!
  text: String!
}

type ImageContent {
  type: String!
  data: String!
  mimeType: String!
}

type AudioContent {
  type: String!
  data: String!
  mimeType: String!
}

type ResourceLink {
  type: String!
  uri: String!
  name: String!
  title: String
  description: String
  mimeType: String
}

type EmbeddedResource {
  type: String!
  resource: ResourceContents!
}

"""A content block; resolve the member from its \`type\` field."""
union ContentBlock = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource

type ResourceContents {
  uri: String!
  mimeType: String
  text: String
  blob: String
}

"""The result of a tool without an output schema."""
type CallToolResult {
  content: [ContentBlock!]!
  structuredContent: JSON
  isError: Boolean
}

type ReadResourceResult {
  contents: [ResourceContents!]!
}

type PromptMessage {
  role: String!
  content: ContentBlock!
}

type GetPromptResult {
  description: String
  messages: [PromptMessage!]!
}`;

// The listing types of the adapter's schema (`listings` option).
const LISTINGS = `"""An MCP tool, as tools/list describes it."""
type Tool {
  name: String!
  title: String
  description: String
  inputSchema: JSON!
  outputSchema: JSON
  annotations: JSON
}

"""An MCP resource, as resources/list describes it."""
type Resource {
  uri: String!
  name: String!
  title: String
  description: String
  mimeType: String
}

"""An MCP resource template, as resources/templates/list describes it."""
type ResourceTemplate {
  uriTemplate: String!
  name: String!
  title: String
  description: String
  mimeType: String
}

type PromptArgument {
  name: String!
  title: String
  description: String
  required: Boolean
}

"""An MCP prompt, as prompts/list describes it."""
type Prompt {
  name: String!
  title: String
  description: String
  arguments: [PromptArgument!]
}`;

const LISTING_TYPES = ['Tool', 'Resource', 'ResourceTemplate', 'PromptArgument', 'Prompt'];
const LISTING_FIELDS = [
  '  tools: [Tool!]!',
  '  resources: [Resource!]!',
  '  resourceTemplates: [ResourceTemplate!]!',
  '  prompts: [Prompt!]!',
];

/** Options of {@link generateGraphql}. */
export interface GraphqlOptions {
  /**
   * Every tool is a `Mutation` field (the GraphQL adapter); default false: tools with
   * `readOnlyHint: true` are `Query` fields.
   */
  toolsAsMutations?: boolean | undefined;
  /** Add `Query.tools`, `resources`, `resourceTemplates` and `prompts` listings (default false). */
  listings?: boolean | undefined;
}

const BUILT_IN_TYPES = [
  'Query',
  'Mutation',
  'Subscription',
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'JSON',
  'ServerInfo',
  'TextContent',
  'ImageContent',
  'AudioContent',
  'ResourceLink',
  'EmbeddedResource',
  'ContentBlock',
  'ResourceContents',
  'CallToolResult',
  'ReadResourceResult',
  'PromptMessage',
  'GetPromptResult',
];

// The properties a tool's input object has at its root (following a root `$ref`).
function rootProperties(model: SchemaModel): ShapeProperty[] {
  let shape: Shape | undefined = model.root;
  for (let i = 0; i < 8 && shape?.kind === 'ref'; i++) shape = model.named.get(shape.name);
  return shape?.kind === 'object' ? shape.properties : [];
}

function argumentList(definitions: string[]): string {
  return definitions.length === 0 ? '' : `(\n${definitions.join('\n')}\n  )`;
}

/**
 * Generates GraphQL SDL for a server's surface:
 * - tools with `readOnlyHint: true` are fields of `Query`, the others of `Mutation`; a tool's input
 *   properties are the field's arguments; it returns `CallToolResult`, or `<Tool>Result` whose
 *   `structuredContent` is typed from the tool's output schema;
 * - resources (`resource_<name>`), resource templates (`resourceTemplate_<name>(<variables>)`) and
 *   prompts (`prompt_<name>(<arguments>)`) are `Query` fields, next to `serverInfo` and
 *   `readResource(uri:)`;
 * - names are sanitised to the GraphQL grammar; the originals are kept by the `@mcpTool`,
 *   `@mcpResource`, `@mcpResourceTemplate`, `@mcpPrompt` and `@mcpName` directives;
 * - JSON Schema → types as in {@link GraphqlTypeBuilder}, with the `JSON` scalar as the documented
 *   fallback.
 *
 * @param surface - the server's surface (an inspect report)
 * @param options - tool placement and listings (the GraphQL adapter sets both)
 * @returns the SDL, formatted by graphql-js
 * @throws a graphql-js `GraphQLError` only on a generator bug (the SDL is parsed before returning)
 * @example
 * ```ts
 * const sdl = generateGraphql(report);
 * buildSchema(sdl); // valid
 * ```
 */
export function generateGraphql(surface: ServerSurface, options: GraphqlOptions = {}): string {
  const listings = options.listings === true;
  const names = new NameScope(listings ? [...BUILT_IN_TYPES, ...LISTING_TYPES] : BUILT_IN_TYPES);
  const builder = new GraphqlTypeBuilder(names);
  const query = new NameScope(
    listings
      ? ['serverInfo', 'readResource', 'tools', 'resources', 'resourceTemplates', 'prompts']
      : ['serverInfo', 'readResource'],
  );
  const mutation = new NameScope();
  const queryFields: string[] = [
    '  serverInfo: ServerInfo!',
    `${gqlDescription('Reads any resource by URI.', '  ')}  readResource(uri: String!): ReadResourceResult!`,
    ...(listings ? LISTING_FIELDS : []),
  ];
  const mutationFields: string[] = [];
  const resultTypes: string[] = [];

  for (const tool of surface.tools) {
    const readOnly = options.toolsAsMutations !== true && tool.annotations?.readOnlyHint === true;
    const field = (readOnly ? query : mutation).claim(gqlName(tool.name));
    const { definition, resultType } = toolField(tool, field, builder, names);
    (readOnly ? queryFields : mutationFields).push(definition);
    if (resultType !== undefined) resultTypes.push(resultType);
  }
  for (const resource of surface.resources) {
    const field = query.claim(`resource_${gqlName(resource.name).replace(/^_+/, '')}`);
    queryFields.push(
      `${gqlDescription(resource.description ?? resource.title, '  ')}  ${field}: ReadResourceResult! @mcpResource(uri: ${gqlString(resource.uri, false)})`,
    );
  }
  for (const template of surface.resourceTemplates) {
    const field = query.claim(`resourceTemplate_${gqlName(template.name).replace(/^_+/, '')}`);
    const scope = new NameScope();
    const args = uriTemplateVariables(template.uriTemplate).map((v) => {
      const name = scope.claim(gqlName(v.name));
      return `    ${name}: String${v.required ? '!' : ''}${mcpNameDirective(v.name, name)}`;
    });
    queryFields.push(
      `${gqlDescription(template.description ?? template.title, '  ')}  ${field}${argumentList(args)}: ReadResourceResult! @mcpResourceTemplate(uriTemplate: ${gqlString(template.uriTemplate, false)})`,
    );
  }
  for (const prompt of surface.prompts) {
    const field = query.claim(`prompt_${gqlName(prompt.name).replace(/^_+/, '')}`);
    const scope = new NameScope();
    const args = (prompt.arguments ?? []).map((a) => {
      const name = scope.claim(gqlName(a.name));
      return `${gqlDescription(a.description, '    ')}    ${name}: String${a.required === true ? '!' : ''}${mcpNameDirective(a.name, name)}`;
    });
    queryFields.push(
      `${gqlDescription(prompt.description ?? prompt.title, '  ')}  ${field}${argumentList(args)}: GetPromptResult! @mcpPrompt(name: ${gqlString(prompt.name, false)})`,
    );
  }

  const info = surface.serverInfo;
  const header = `# GraphQL schema of the MCP server ${JSON.stringify(info?.name ?? 'unknown')} ${info?.version ?? ''}, generated by mcp-switchboard.\n`;
  const sections = [
    PRELUDE,
    ...(listings ? [LISTINGS] : []),
    `type Query {\n${queryFields.join('\n')}\n}`,
    ...(mutationFields.length > 0 ? [`type Mutation {\n${mutationFields.join('\n')}\n}`] : []),
    ...resultTypes,
    ...builder.definitions,
  ];
  // Parsing checks the syntax; printing normalises the layout.
  return `${header.replace(/[\r\n]+(?!$)/g, ' ')}\n${print(parse(sections.join('\n\n')))}\n`;
}

function toolField(
  tool: ToolEntry,
  field: string,
  builder: GraphqlTypeBuilder,
  names: NameScope,
): { definition: string; resultType?: string } {
  const owner = pascalCase(tool.name, 'Tool');
  const input = walkSchema(tool.inputSchema, { rootName: 'Args' });
  const inputType = builder.forModel(input, owner);
  const args = builder.fields(
    rootProperties(input),
    (shape, hint) => inputType(shape, 'input', hint),
    input,
    '    ',
  );
  const directive = ` @mcpTool(name: ${gqlString(tool.name, false)})`;
  const description = gqlDescription(tool.description ?? tool.title, '  ');
  if (tool.outputSchema === undefined) {
    return { definition: `${description}  ${field}${argumentList(args)}: CallToolResult!${directive}` };
  }
  const output = walkSchema(tool.outputSchema, { rootName: 'Output' });
  const structured = builder.forModel(output, owner)(output.root, 'output', 'Output');
  const result = names.claim(`${owner}Result`);
  const resultType =
    gqlDescription(
      `The result of the tool "${tool.name}": structuredContent follows its output schema.`,
      '',
    ) +
    `type ${result} {\n  content: [ContentBlock!]!\n  structuredContent: ${structured}\n  isError: Boolean\n}`;
  return { definition: `${description}  ${field}${argumentList(args)}: ${result}!${directive}`, resultType };
}
