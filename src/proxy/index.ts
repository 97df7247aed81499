// Subpath `mcp-switchboard/proxy`: the relay, supervision and session multiplexing behind `serve`.
export { Proxy } from './proxy.js';
export type { ProxyOptions, ProxyEvent, SessionMode } from './proxy.js';
export { Relay } from './relay.js';
export type { RelayOptions } from './relay.js';
export { SupervisedBackend } from './supervised-backend.js';
export type { SupervisedBackendOptions, BackendEvent } from './supervised-backend.js';
export { SharedBackend } from './shared-backend.js';
export type { SharedBackendOptions } from './shared-backend.js';
export { RestartPolicy } from './restart-policy.js';
export type { RestartPolicyOptions } from './restart-policy.js';
