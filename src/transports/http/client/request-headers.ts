import { SwitchboardError } from '../../../errors.js';
import { isRequest, type JSONRPCMessage, type MessageParams } from '../../../protocol/messages.js';
import { declaredProtocolVersion, eraOf } from '../../../protocol/versions.js';
import { encodeHeaderValue } from '../shared/header-value.js';
import { McpHeader, NAME_HEADER_SOURCE } from '../shared/headers.js';

/**
 * Header names the transport owns. Neither the static `headers` option nor the per-message
 * `TransportSendOptions.headers` may set them: they derive from the connection state or from the body,
 * and an override could make headers disagree with the body (which 2026-07-28 servers reject).
 */
const RESERVED: ReadonlySet<string> = new Set([
  'accept',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
  McpHeader.sessionId,
  McpHeader.protocolVersion,
  McpHeader.method,
  McpHeader.name,
  McpHeader.lastEventId,
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SAFE_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Validates user-supplied headers and returns them with lower-case names.
 *
 * @param origin - `static` (the `headers` option: a reserved name is a configuration error) or
 *   `per-message` (`TransportSendOptions.headers`, e.g. `Mcp-Param-*`: reserved names and
 *   `Authorization` are ignored, as the SDK does)
 * @throws SwitchboardError `INVALID_OPTIONS` for a malformed name or value, or a reserved static name
 */
export function normalizeHeaders(
  headers: Readonly<Record<string, string>> | undefined,
  origin: 'static' | 'per-message',
): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name) || typeof value !== 'string' || !SAFE_VALUE.test(value)) {
      throw new SwitchboardError('INVALID_OPTIONS', `Invalid HTTP header "${rawName}"`);
    }
    if (RESERVED.has(name) || (origin === 'per-message' && name === 'authorization')) {
      if (origin === 'per-message') continue;
      throw new SwitchboardError('INVALID_OPTIONS', `HTTP header "${rawName}" is set by the transport`);
    }
    out[name] = value;
  }
  return out;
}

/**
 * The stateless-era protocol version a message declares in `params._meta`, or `undefined` for a
 * session-era (or unversioned) message.
 */
export function modernVersionOf(message: JSONRPCMessage): string | undefined {
  if (!('method' in message) || typeof message.method !== 'string') return undefined;
  const version = declaredProtocolVersion((message as { params?: MessageParams }).params);
  return version !== undefined && eraOf(version) === 'stateless' ? version : undefined;
}

/**
 * Adds the 2026-07-28 request-metadata headers: `MCP-Protocol-Version`, and for requests `Mcp-Method`
 * and (tools/call, prompts/get, resources/read) `Mcp-Name`, encoded per the spec's Base64 sentinel rule.
 */
export function applyModernHeaders(
  headers: Record<string, string>,
  message: JSONRPCMessage,
  version: string,
): void {
  headers[McpHeader.protocolVersion] = version;
  if (!isRequest(message)) return;
  headers[McpHeader.method] = message.method;
  const source = NAME_HEADER_SOURCE[message.method];
  const value = source === undefined ? undefined : message.params?.[source];
  if (typeof value === 'string') headers[McpHeader.name] = encodeHeaderValue(value);
}
