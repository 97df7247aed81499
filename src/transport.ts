import type { JSONRPCMessage, RequestId } from './protocol/messages.js';

/**
 * Authentication facts about the peer, passed with each message (same shape as the SDK's `AuthInfo`).
 */
export interface AuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number | undefined;
  resource?: URL | undefined;
  extra?: Record<string, unknown> | undefined;
}

/** Facts about the HTTP request that carried a message (SDK v1 `RequestInfo`). */
export interface RequestInfo {
  headers: Record<string, string | string[] | undefined>;
  url?: URL | undefined;
}

/** Facts about the peer of a connection (socket transports). */
export interface PeerInfo {
  /** Remote address and port, when the transport is a network socket. */
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  /** The verified client-certificate subject, for mTLS connections. */
  certificateSubject?: Record<string, string | string[]> | undefined;
  /** Fingerprint (SHA-256) of the verified peer certificate. */
  certificateFingerprint256?: string | undefined;
}

/**
 * Extra information delivered with an incoming message: a superset of the SDK v1 and v2 `MessageExtraInfo`.
 */
export interface MessageExtraInfo {
  requestInfo?: RequestInfo | undefined;
  authInfo?: AuthInfo | undefined;
  /** SDK v2 passes the web `Request` here. */
  request?: Request | undefined;
  closeSSEStream?: (() => void) | undefined;
  closeStandaloneSSEStream?: (() => void) | undefined;
  /** Connection facts (remote address, verified mTLS subject). */
  peer?: PeerInfo | undefined;
  /**
   * The client request this message belongs to, when the sender knows it exactly (the era bridge does):
   * a relay passes it on as `TransportSendOptions.relatedRequestId`, so a stateless HTTP frontend puts
   * the message on that request's stream and a shared backend routes it to that request's session.
   */
  relatedRequestId?: RequestId | undefined;
  /**
   * Set by a frontend that wants to know when a relay handed this request to its backend (the
   * backend's `send()` resolved): shared session state journals it, so an instance taking the session
   * over waits for the answer of a backend that keeps requests (a worker pool) instead of running it
   * again. Called at most once per request; never throws.
   */
  onForwarded?: ((id: RequestId) => void) | undefined;
}

/** Options of one `send()`: a superset of the SDK v1 and v2 `TransportSendOptions`. */
export interface TransportSendOptions {
  relatedRequestId?: RequestId | undefined;
  resumptionToken?: string | undefined;
  onresumptiontoken?: ((token: string) => void) | undefined;
  /** v2: abort this request's per-request stream without closing the transport. */
  requestSignal?: AbortSignal | undefined;
  /** v2: the per-request stream ended (not through `requestSignal`). */
  onRequestStreamEnd?: (() => void) | undefined;
  /** v2: per-message HTTP headers (e.g. `Mcp-Param-*`). */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Who sent the message, when a relay knows it (the frontend's `extra.authInfo`), for stages that act
   * per caller (the era bridge). Transports never send it anywhere.
   */
  callerAuth?: AuthInfo | undefined;
}

/**
 * The MCP transport contract, identical in shape to the official SDK's `Transport` (v1 and v2),
 * so every transport of this library plugs into `Client.connect()` / `Server.connect()` of both.
 *
 * Rules the types cannot express (as in the SDK):
 * - `start()` is called by whoever installed the callbacks; it throws if called twice.
 * - `send()` resolves once the message is accepted by the underlying stream (backpressure) and rejects
 *   with a `TRANSPORT_CLOSED` {@link SwitchboardError} once closed.
 * - `close()` is idempotent and ends by firing `onclose` exactly once, whoever initiated the close.
 */
export interface Transport {
  start(): Promise<void>;
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
  close(): Promise<void>;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  sessionId?: string | undefined;
  setProtocolVersion?: ((version: string) => void) | undefined;
  setSupportedProtocolVersions?: ((versions: string[]) => void) | undefined;
  readonly hasPerRequestStream?: boolean;
}
