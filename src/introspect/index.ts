// Subpath `mcp-switchboard/introspect`: inspect one MCP server (both protocol eras), call a tool,
// render reports. Node-only (it reaches every transport through the endpoint registry's callers).
export { inspectServer, DEFAULT_MAX_PAGES } from './inspect.js';
export type { InspectOptions } from './inspect.js';
export { callServerTool } from './call-tool.js';
export type { ToolCallOutcome } from './call-tool.js';
export { connectInspector, inspectFailureKind, DEFAULT_INSPECT_TIMEOUT_MS } from './client.js';
export type { InspectClientOptions, InspectConnection } from './client.js';
export { classifyFailure, describeFailure } from './failure.js';
export type { InspectFailureKind, InspectPhase } from './failure.js';
export {
  InspectReportSchema,
  inspectReportJsonSchema,
  INSPECT_REPORT_SCHEMA_ID,
  ListKinds,
} from './report.js';
export type {
  InspectReport,
  ToolEntry,
  ResourceEntry,
  ResourceTemplateEntry,
  PromptEntry,
  ListKind,
} from './report.js';
export { buildToolArguments, coerceArgValue } from './tool-args.js';
export type { ToolArguments } from './tool-args.js';
export { renderHuman } from './render/render-human.js';
export type { HumanRenderOptions } from './render/render-human.js';
export { renderCallHuman } from './render/render-call.js';
export { renderData } from './render/data-format.js';
export type { DataFormat } from './render/data-format.js';
