import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BufferBudget } from '../../../framing/buffer-budget.js';
import type { ConnectionInfo } from '../../../listener.js';
import type { AuthInfo, Transport } from '../../../transport.js';
import type { Eras } from './era-detection.js';
import type { LegacySessionContext, LegacySseTransport } from './legacy-sse-transport.js';
import type { ResponseMode } from './options.js';
import type { SessionRegistry } from './session-registry.js';
import type { SessionContext, SessionTransport } from './session-transport.js';
import type { StatelessHttpTransport } from './stateless-transport.js';
import type { ToolHeaderRegistry } from './tool-headers.js';

/** Facts handed to `onConnection` with each HTTP transport. */
export interface HttpConnectionInfo extends ConnectionInfo {
  /** `session` (2025 Streamable HTTP), `stateless` (2026-07-28, one shared transport) or `legacy-sse`. */
  era: 'session' | 'stateless' | 'legacy-sse';
  /** What `authenticate` said about the caller that opened the session (not for the shared stateless transport). */
  authInfo?: AuthInfo | undefined;
}

/** One authenticated request on its way to a handler. */
export interface Inbound {
  req: IncomingMessage;
  res: ServerResponse;
  authInfo: AuthInfo | undefined;
}

/** What the request handlers of one listener share. @internal */
export interface HttpRuntime {
  readonly scheme: 'http' | 'https';
  readonly maxBodyBytes: number;
  /** Request bodies being read hold their bytes here (shared with other listeners). */
  readonly bufferBudget: BufferBudget;
  readonly maxSessions: number;
  readonly responseMode: ResponseMode;
  readonly eras: Eras;
  readonly messagesPath: string;
  readonly sessions: SessionRegistry<SessionTransport | LegacySseTransport>;
  readonly sessionContext: SessionContext;
  readonly legacyContext: LegacySessionContext;
  /** `x-mcp-header` declarations learned from `tools/list` results. */
  readonly tools: ToolHeaderRegistry;
  /** The shared stateless transport, created (and handed to `onConnection`) on first use. */
  stateless(inbound: Inbound): StatelessHttpTransport;
  onConnection(transport: Transport, info: HttpConnectionInfo): void;
  report(error: Error): void;
}
