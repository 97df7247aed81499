import type { JSONRPCRequest } from '../protocol/messages.js';
import { declaredProtocolVersion, eraOf, MetaKey, STATELESS_ERA_VERSIONS } from '../protocol/versions.js';

/** Methods whose 2026-07-28 results carry cache hints (`ttlMs`, `cacheScope`). */
const CACHEABLE = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'server/discover',
]);

/** The capability members a 2026-07-28 server advertises (tasks and the like are 2025-era only). */
const MODERN_CAPABILITIES = [
  'experimental',
  'logging',
  'completions',
  'prompts',
  'resources',
  'tools',
  'extensions',
];

/** `true` when a request declares a 2026-07-28 (stateless era) protocol version in its `_meta`. */
export function isModernRequest(message: JSONRPCRequest): boolean {
  const version = declaredProtocolVersion(message.params);
  return version !== undefined && eraOf(version) === 'stateless';
}

/**
 * A result the gateway answers itself, as the 2026-07-28 era wants it: `resultType`, cache hints for
 * cacheable methods (`ttlMs: 0`: lists change when servers come and go), and `serverInfo` in `_meta`.
 *
 * @param method - the request's method
 * @param serverInfo - the gateway's identity
 */
export function modernResult(
  method: string,
  result: Record<string, unknown>,
  serverInfo: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    ...result,
    resultType: 'complete',
    ...(CACHEABLE.has(method) ? { ttlMs: 0, cacheScope: 'private' } : {}),
    _meta: { ...(result._meta as Record<string, unknown> | undefined), [MetaKey.serverInfo]: serverInfo },
  };
}

/**
 * The gateway's `server/discover` result (before {@link modernResult} stamps it).
 *
 * @param capabilities - the merged capabilities
 */
export function discoverResult(
  capabilities: Record<string, unknown>,
  instructions: string | undefined,
): Record<string, unknown> {
  const advertised: Record<string, unknown> = {};
  for (const key of MODERN_CAPABILITIES)
    if (capabilities[key] !== undefined) advertised[key] = capabilities[key];
  return {
    supportedVersions: [...STATELESS_ERA_VERSIONS],
    capabilities: advertised,
    ...(instructions !== undefined ? { instructions } : {}),
  };
}
