// JSON Schemas (2020-12) of the MCP results the OpenAPI document refers to, under
// `#/components/schemas/<name>`. Simplified from the MCP schema: content blocks keep their
// discriminating `type` and main fields, and allow more.

type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The fixed component schemas, by component name. */
export const MCP_RESULT_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ContentBlock: {
    description:
      'A content block of a tool result or prompt message (text, image, audio, resource_link, resource).',
    type: 'object',
    required: ['type'],
    properties: {
      type: { type: 'string', enum: ['text', 'image', 'audio', 'resource_link', 'resource'] },
      text: { type: 'string' },
      data: { type: 'string', description: 'Base64 data of image and audio blocks.' },
      mimeType: { type: 'string' },
      uri: { type: 'string' },
      name: { type: 'string' },
      resource: ref('ResourceContents'),
    },
    additionalProperties: true,
  },
  CallToolResult: {
    description: 'The MCP CallToolResult of a tool without an output schema.',
    type: 'object',
    required: ['content'],
    properties: {
      content: { type: 'array', items: ref('ContentBlock') },
      structuredContent: { type: 'object', additionalProperties: true },
      isError: { type: 'boolean' },
    },
    additionalProperties: true,
  },
  ResourceContents: {
    type: 'object',
    required: ['uri'],
    properties: {
      uri: { type: 'string' },
      mimeType: { type: 'string' },
      text: { type: 'string' },
      blob: { type: 'string', description: 'Base64 data of a binary resource.' },
    },
    additionalProperties: true,
  },
  ReadResourceResult: {
    description: 'The MCP ReadResourceResult.',
    type: 'object',
    required: ['contents'],
    properties: { contents: { type: 'array', items: ref('ResourceContents') } },
    additionalProperties: true,
  },
  PromptMessage: {
    type: 'object',
    required: ['role', 'content'],
    properties: { role: { type: 'string', enum: ['user', 'assistant'] }, content: ref('ContentBlock') },
    additionalProperties: true,
  },
  GetPromptResult: {
    description: 'The MCP GetPromptResult.',
    type: 'object',
    required: ['messages'],
    properties: { description: { type: 'string' }, messages: { type: 'array', items: ref('PromptMessage') } },
    additionalProperties: true,
  },
  McpError: {
    description: 'A JSON-RPC error from the server, or a tool result with isError: true.',
    type: 'object',
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'integer' }, message: { type: 'string' }, data: {} },
      },
      result: ref('CallToolResult'),
    },
  },
};
