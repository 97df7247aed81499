// Subpath `mcp-switchboard/era`: the era bridge — every 2025-era and 2026-07-28 client against a backend of either era.
export { EraBridge } from './era-bridge.js';
export type { EraBridgeEvent, EraBridgeOptions } from './era-bridge.js';
export { BackendEraDetector, probeBackendEra } from './backend-era.js';
export type { BackendEra, BackendEraProbeOptions, BackendEraSetting } from './backend-era.js';
export { LegacyFacingStage } from './legacy-facing-stage.js';
export type { LegacyFacingOptions } from './legacy-facing-stage.js';
export { ModernFacingStage } from './modern-facing-stage.js';
export type { ModernFacingOptions } from './modern-facing-stage.js';
export { ModernBridge } from './modern-bridge.js';
export type { ModernBridgeOptions } from './modern-bridge.js';
export { EraSwitch } from './era-switch.js';
export type { EraSwitchOptions } from './era-switch.js';
export { RequestStateSealer, parseStateKey } from './request-state.js';
export type { RequestStateClaims, RequestStateSealerOptions } from './request-state.js';
