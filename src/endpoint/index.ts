// Subpath `mcp-switchboard/endpoint`: endpoints by URI (Node-only: it reaches every transport).
export { connect, listen, supportedSchemes } from './registry.js';
export type { ConnectOptions, ListenOptions, EndpointScheme } from './scheme.js';
