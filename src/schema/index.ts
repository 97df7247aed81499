// Subpath `mcp-switchboard/schema`: describe an MCP server's surface as OpenAPI 3.1, GraphQL SDL or
// proto3, from an inspect report; plus the shared JSON Schema walker.
export { generateOpenApi } from './openapi.js';
export type { OpenApiOptions, AdapterLayoutOptions } from './openapi.js';
export { generateGraphql } from './graphql.js';
export type { GraphqlOptions } from './graphql.js';
export { generateProtobuf } from './protobuf.js';
export { walkSchema } from './json-schema.js';
export type { WalkOptions } from './json-schema.js';
export type { Shape, ShapeKind, ShapeMeta, ShapeProperty, SchemaModel, JsonValue } from './shape.js';
export { exampleOf } from './examples.js';
export { embedSchema } from './embed-schema.js';
export { parseUriTemplate, uriTemplateVariables } from './uri-template.js';
export type { UriTemplatePart, UriTemplateVariable } from './uri-template.js';
export type { ServerSurface } from './surface.js';
