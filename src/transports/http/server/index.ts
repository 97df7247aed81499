// Subpath `mcp-switchboard/transports/http-server`: the MCP HTTP listener (Node-only).
export { listenHttp, HttpListener } from './http-listener.js';
export type { HttpListenOptions } from './http-listener.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_KEEP_ALIVE_MS,
  DEFAULT_SESSION_IDLE_MS,
  DEFAULT_MAX_SSE_BUFFERED_BYTES,
  DEFAULT_SSE_DRAIN_TIMEOUT_MS,
  DEFAULT_RETRY_MS,
} from './options.js';
export type {
  HttpServerOptions,
  ResponseMode,
  AuthenticateResult,
  HttpRejection,
  ExtraRouteHandler,
  LegacySseOptions,
  HttpMount,
  MountContext,
} from './options.js';
export type { HttpConnectionInfo } from './runtime.js';
export { formatEventId, parseEventId } from './event-store.js';
export type { EventStore, StoredEvent } from './event-store.js';
export { MemoryEventStore, DEFAULT_EVENT_STORE_BYTES } from './memory-event-store.js';
export type { MemoryEventStoreOptions } from './memory-event-store.js';
export { SessionTransport } from './session-transport.js';
export type {
  SessionDirectory,
  SessionJournal,
  SessionSnapshot,
  PendingRequest,
  LocateResult,
} from './session-directory.js';
export { StatelessHttpTransport } from './stateless-transport.js';
export type { CancelledRequest } from './stateless-transport.js';
export { LegacySseTransport } from './legacy-sse-transport.js';
