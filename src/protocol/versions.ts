/**
 * MCP protocol revisions and eras.
 *
 * - The **session era** (2024-11-05 … 2025-11-25): `initialize` handshake, `Mcp-Session-Id` on HTTP.
 * - The **stateless era** (2026-07-28 and later): no handshake; every request carries its protocol
 *   version and client capabilities in `params._meta`; `server/discover`; MRTR instead of server→client
 *   requests; `subscriptions/listen`.
 */

/** The latest revision of the stateless era. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** Revisions of the stateless era this library speaks, newest first. */
export const STATELESS_ERA_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION];

/** Revisions of the session era this library speaks over Streamable HTTP, newest first. */
export const SESSION_ERA_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26'];

/** The revision of the legacy HTTP+SSE transport (deprecated). */
export const LEGACY_SSE_PROTOCOL_VERSION = '2024-11-05';

/** Every revision this library speaks, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  ...STATELESS_ERA_VERSIONS,
  ...SESSION_ERA_VERSIONS,
  LEGACY_SSE_PROTOCOL_VERSION,
];

/** The version a Streamable HTTP server assumes when a client sends no `MCP-Protocol-Version` header. */
export const DEFAULT_ASSUMED_PROTOCOL_VERSION = '2025-03-26';

/** `_meta` keys of the stateless era (same strings as the SDK v2 constants). */
export const MetaKey = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
  logLevel: 'io.modelcontextprotocol/logLevel',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** The two protocol eras. */
export type ProtocolEra = 'session' | 'stateless';

/**
 * The era of a protocol revision. Revision strings are dates, so they compare lexically;
 * anything from 2026-07-28 on is stateless.
 */
export function eraOf(version: string): ProtocolEra {
  return version >= MODERN_PROTOCOL_VERSION ? 'stateless' : 'session';
}

/** `true` when `version` is one this library speaks. */
export function isSupportedProtocolVersion(version: string): boolean {
  return SUPPORTED_PROTOCOL_VERSIONS.includes(version);
}

/**
 * The protocol version a stateless-era message declares in `params._meta`, if any.
 *
 * @param params - the message's `params`
 */
export function declaredProtocolVersion(
  params: { _meta?: Record<string, unknown> | undefined } | undefined,
): string | undefined {
  const v = params?._meta?.[MetaKey.protocolVersion];
  return typeof v === 'string' ? v : undefined;
}
