// The HTTP client subpath (`mcp-switchboard/transports/http-client`): Streamable HTTP (2025 sessions and
// 2026-07-28) with transparent session recovery, the legacy HTTP+SSE client, and era detection.
export { StreamableHttpClientTransport } from './streamable-http-client.js';
export type { HttpClientMode } from './streamable-http-client.js';
export { LegacySseClientTransport } from './legacy-sse-client.js';
export { connectHttp, connectSse } from './connect.js';
export { probeEra } from './era-detection.js';
export type { EraProbeOptions, EraProbeResult } from './era-detection.js';
export type {
  HttpClientOptions,
  ReconnectOptions,
  TokenSource,
  UnauthorizedChallenge,
} from './http-client-options.js';
