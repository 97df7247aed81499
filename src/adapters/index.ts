// Subpath `mcp-switchboard/adapters`: any MCP server as a typed REST API (OpenAPI 3.1, Swagger UI) and
// as GraphQL (GraphiQL), mounted on an HTTP listener (`http.mounts`). Node-only.
export { McpAdapterClient } from './adapter-client.js';
export type {
  AdapterCallOptions,
  AdapterClientEvent,
  AdapterClientOptions,
  AdapterSource,
  ProgressUpdate,
} from './adapter-client.js';
export { Catalog } from './catalog.js';
export type {
  CatalogListings,
  CatalogNamespaces,
  CatalogServer,
  ListFilter,
  ListingKind,
} from './catalog.js';
export { RestAdapter } from './rest/rest-adapter.js';
export type { RestAdapterOptions } from './rest/rest-adapter.js';
export { GraphqlAdapter } from './graphql/graphql-adapter.js';
export type { GraphqlAdapterOptions } from './graphql/graphql-adapter.js';
export { buildAdapterSchema, toGraphqlError } from './graphql/adapter-schema.js';
export type { GraphqlContext } from './graphql/adapter-schema.js';
export { depthLimit, complexityLimit } from './graphql/query-limits.js';
export { mapContentBlock, toolResponseBody, toolErrorMessage } from './content-mapping.js';
export type { BinaryContentMode } from './content-mapping.js';
export { mapError, statusOfJsonRpcError } from './error-status.js';
export type { AdapterErrorBody, MappedError } from './error-status.js';
export { ArgumentValidator } from './argument-validator.js';
export type { ArgumentIssue } from './argument-validator.js';
export { withCaller, currentCaller, httpCaller, CallerTaggingTransport } from './caller.js';
