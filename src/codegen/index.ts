// Subpath `mcp-switchboard/codegen`: typed client packages from a server's catalog, standalone proxy
// projects from a serve configuration, single-file executables.
export { generateClient, defaultPackageName } from './generate-client.js';
export type { GenerateClientOptions, GeneratedClient } from './generate-client.js';
export type { GroupingOptions } from './client-plan.js';
export { checkClient, readCatalogFile, compareCatalog } from './check-client.js';
export type { ClientCheck, RecordedCatalog } from './check-client.js';
export { assertPackageName } from './package-name.js';
export { catalogOf, catalogHash, diffCatalogs } from './catalog.js';
export type {
  Catalog,
  CatalogDiff,
  CatalogTool,
  CatalogPrompt,
  CatalogResource,
  CatalogTemplate,
} from './catalog.js';
export { memberName, typeName } from './identifiers.js';
export { writeGeneratedFiles } from './write-files.js';
