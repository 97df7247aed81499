// Subpath `mcp-switchboard/gateway`: many MCP servers behind one endpoint (router, catalog, naming).
export { Gateway } from './gateway.js';
export type { GatewayOptions, GatewayEvent, GatewayStatus } from './gateway.js';
export { GatewayServer } from './gateway-server.js';
export type { GatewayServerOptions, GatewayServerEvent, LegConnection } from './gateway-server.js';
export { GatewaySession } from './gateway-session.js';
export type { GatewaySessionOptions } from './gateway-session.js';
export { Catalog, CATALOG_KINDS } from './catalog.js';
export type {
  CatalogItem,
  CatalogKind,
  CatalogChange,
  CatalogReport,
  CatalogOptions,
  NameTarget,
  ServerListing,
  ServerStatus,
} from './catalog.js';
export { CatalogView, DEFAULT_PAGE_SIZE } from './catalog-view.js';
export { Namespace, DEFAULT_SEPARATOR } from './namespace.js';
export type { NamespaceOption } from './namespace.js';
export { NameFilter } from './name-filter.js';
export type { GlobRules, ServerFilters } from './name-filter.js';
export { uriTemplatePattern } from './uri-template-match.js';
export { startGateway } from './start-gateway.js';
export type { StartGatewayOptions, RunningGateway } from './start-gateway.js';
