/**
 * HTTP header names of the MCP Streamable HTTP and HTTP+SSE transports, lower case (Node lower-cases
 * incoming header names; header names are case-insensitive on the wire).
 */
export const McpHeader = {
  /** 2025 era: the session id issued on the `initialize` response (spelled `MCP-Session-Id` in 2025-11-25). */
  sessionId: 'mcp-session-id',
  /** The negotiated (2025 era) or requested (2026-07-28) protocol revision. */
  protocolVersion: 'mcp-protocol-version',
  /** 2026-07-28: mirrors the JSON-RPC `method`. */
  method: 'mcp-method',
  /** 2026-07-28: mirrors `params.name` / `params.uri` of tools/call, prompts/get, resources/read. */
  name: 'mcp-name',
  /** 2026-07-28: prefix of headers mirroring tool arguments annotated with `x-mcp-header`. */
  paramPrefix: 'mcp-param-',
  /** SSE resumption cursor (2025 era). */
  lastEventId: 'last-event-id',
} as const;

/** Methods whose 2026-07-28 requests must carry `Mcp-Name`, and the params member it mirrors. */
export const NAME_HEADER_SOURCE: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

/** Media types of the transport. */
export const MediaType = {
  json: 'application/json',
  eventStream: 'text/event-stream',
} as const;
