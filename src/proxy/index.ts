// Subpath `mcp-switchboard/proxy`: the relay, supervision and session multiplexing behind `serve`.
export { Proxy, PROXY_DEFAULTS } from './proxy.js';
export type { ProxyOptions, ProxyEvent, SessionMode, SessionOverrides } from './proxy.js';
export { Relay } from './relay.js';
export type { RelayOptions } from './relay.js';
export { SupervisedBackend, newIncidentId } from './supervised-backend.js';
export type { SupervisedBackendOptions, BackendEvent } from './supervised-backend.js';
export { SharedBackend } from './shared-backend.js';
export type { SharedBackendOptions, DropReason } from './shared-backend.js';
export { ClientLimits, CLIENT_LIMIT_DEFAULTS, addressKey } from './client-limits.js';
export type { ClientCaps, ClientKeys, ClientLimitsOptions } from './client-limits.js';
export { RestartPolicy } from './restart-policy.js';
export type { RestartPolicyOptions } from './restart-policy.js';
