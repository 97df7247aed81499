import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import {
  declaredProtocolVersion,
  SESSION_ERA_VERSIONS,
  STATELESS_ERA_VERSIONS,
} from '../../../protocol/versions.js';

/** A refusal with its HTTP status and JSON-RPC error. */
export interface Refusal {
  status: number;
  code: number;
  message: string;
  data?: unknown;
}

/** Which eras an endpoint serves. */
export interface Eras {
  session: boolean;
  stateless: boolean;
}

/** The versions an endpoint advertises in `UnsupportedProtocolVersionError`. */
export function supportedVersions(eras: Eras): string[] {
  return [...(eras.stateless ? STATELESS_ERA_VERSIONS : []), ...(eras.session ? SESSION_ERA_VERSIONS : [])];
}

/** `UnsupportedProtocolVersionError` (-32022) listing what the endpoint supports. */
export function unsupportedVersion(requested: string, eras: Eras): Refusal {
  return {
    status: 400,
    code: JsonRpcCode.UnsupportedProtocolVersion,
    message: `Unsupported protocol version: ${requested}`,
    data: { supported: supportedVersions(eras), requested },
  };
}

/**
 * Decides the era of one POST from its `MCP-Protocol-Version` header and body, so one endpoint serves
 * both eras:
 * - a header naming a 2026-07-28+ revision → stateless; a 2025 revision → session era;
 * - no header: a body whose `_meta` claims a modern revision → stateless (and later refused for the
 *   missing header), else the session era, assuming 2025-03-26 as the spec allows;
 * - an unknown header value → 400 + -32022 listing the supported versions.
 */
export function detectEra(
  body: unknown,
  headerVersion: string | undefined,
  eras: Eras,
): 'session' | 'stateless' | Refusal {
  let era: 'session' | 'stateless';
  if (headerVersion !== undefined) {
    if (STATELESS_ERA_VERSIONS.includes(headerVersion)) era = 'stateless';
    else if (SESSION_ERA_VERSIONS.includes(headerVersion)) era = 'session';
    else return unsupportedVersion(headerVersion, eras);
  } else {
    const params =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as { params?: { _meta?: Record<string, unknown> } }).params
        : undefined;
    era =
      typeof params === 'object' && params !== null && declaredProtocolVersion(params) !== undefined
        ? 'stateless'
        : 'session';
  }
  if (!eras[era]) {
    return unsupportedVersion(headerVersion ?? (era === 'session' ? '2025-03-26' : 'unknown'), eras);
  }
  return era;
}
