import type { IncomingMessage } from 'node:http';
import type { SwitchboardError } from '../errors.js';
import { toJsonRpcError } from '../errors.js';
import { errorResponse, isRequestId } from '../protocol/messages.js';
import type { AuthInfo } from '../transport.js';
import type { AdmitHook, HttpRejection } from '../transports/http/server/options.js';
import type { AccessControl } from './access-control.js';
import { callerOf } from './policy.js';
import { bearerChallenge } from './protected-resource.js';

/** Options of {@link httpAdmission}. */
export interface HttpAdmissionOptions {
  /** The protected resource metadata URL, announced in 403 challenges. */
  resourceMetadataUrl?: (() => string | undefined) | undefined;
}

function rejection(
  error: SwitchboardError,
  id: unknown,
  resourceMetadata: string | undefined,
): HttpRejection {
  const body = JSON.stringify(errorResponse(isRequestId(id) ? id : undefined, toJsonRpcError(error)));
  if (error.code === 'RATE_LIMITED') {
    const ms = typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : 1000;
    return {
      status: 429,
      message: error.message,
      body,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) },
    };
  }
  const scope = Array.isArray(error.details.requiredScopes) ? (error.details.requiredScopes as string[]) : [];
  return {
    status: 403,
    message: error.message,
    body,
    headers: {
      'www-authenticate': bearerChallenge({
        error: 'insufficient_scope',
        scope,
        resourceMetadata,
        description: 'The token lacks the scope this call needs',
      }),
    },
  };
}

/**
 * The HTTP listener's `admit` hook: applies the {@link AccessControl} to each request of a POST body
 * before any session sees it — 403 with `WWW-Authenticate: Bearer error="insufficient_scope",
 * scope="…"` when the policy refuses (the step-up signal of MCP 2025-11-25), 429 with `Retry-After`
 * when the caller's rate is exceeded. Unauthenticated callers are limited per client IP.
 *
 * @example
 * ```ts
 * listen(uri, { http: { authenticate, admit: httpAdmission(access, { resourceMetadataUrl }) } });
 * ```
 */
export function httpAdmission(access: AccessControl, options: HttpAdmissionOptions = {}): AdmitHook {
  return (req: IncomingMessage, body: unknown, authInfo: AuthInfo | undefined) => {
    const caller = callerOf(authInfo, `ip:${req.socket.remoteAddress ?? 'unknown'}`);
    for (const message of Array.isArray(body) ? body : [body]) {
      const m = message as { method?: unknown; params?: unknown; id?: unknown } | null;
      // Only requests are decided (notifications and responses carry no work to authorize).
      if (typeof m?.method !== 'string' || m.id === undefined) continue;
      const refused = access.check(m.method, m.params, caller);
      if (refused !== undefined) return rejection(refused, m.id, options.resourceMetadataUrl?.());
    }
    return undefined;
  };
}

/** The method name under which opening a session is rate-limited (and counted in metrics). */
export const SESSION_OPEN_METHOD = 'session/open';

/**
 * The HTTP listener's `admitSession` hook: a request that opens a session without a JSON-RPC body
 * (`GET` of the legacy SSE endpoint) takes a rate-limit token of its caller like any request does —
 * 429 with `Retry-After` when the caller's rate is exceeded. (A 2025-era `initialize` POST is already
 * admitted by {@link httpAdmission}.)
 *
 * @example
 * ```ts
 * listen(uri, { http: { admit: httpAdmission(access), admitSession: httpSessionAdmission(access) } });
 * ```
 */
export function httpSessionAdmission(
  access: AccessControl,
  options: HttpAdmissionOptions = {},
): (req: IncomingMessage, authInfo: AuthInfo | undefined) => HttpRejection | undefined {
  return (req, authInfo) => {
    const caller = callerOf(authInfo, `ip:${req.socket.remoteAddress ?? 'unknown'}`);
    const refused = access.check(SESSION_OPEN_METHOD, undefined, caller);
    return refused === undefined ? undefined : rejection(refused, undefined, options.resourceMetadataUrl?.());
  };
}
