export {
  MCP_DURATION_BUCKETS,
  SwitchboardMetrics,
  type OperationSide,
  type RequestOutcome,
  type SwitchboardMetricsOptions,
} from './metrics-registry.js';
export { ChannelName, publishRateLimitRefusal, type RateLimitRefusal } from './channels.js';
export { TOOL_ERROR, errorTypeLabel, methodLabel } from './metric-labels.js';
export {
  TRACER_NAME,
  metaGetter,
  metaSetter,
  requestSpanShape,
  startRequestSpan,
  switchboardTracer,
  tracingRegistered,
} from './tracing.js';
export { redactPayload, type RedactLimits } from './redact.js';
export { redactText } from './redact-text.js';
