import type { JSONRPCRequest } from '../protocol/messages.js';

/** The `_meta` key that ties a message to a task (MCP 2025-11-25 tasks). */
export const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';

/** Client requests that name a task by `params.taskId`: only the session that owns the task may send them. */
export const TASK_REQUESTS: ReadonlySet<string> = new Set(['tasks/get', 'tasks/result', 'tasks/cancel']);

/** Requests during which a server may send sampling/elicitation/roots requests: not lists, not ping. */
export const canCallBack = (method: string): boolean =>
  method !== 'ping' &&
  !method.endsWith('/list') &&
  method !== 'initialize' &&
  method !== 'subscriptions/listen';

/**
 * Notifications that concern every session alike (`notifications/tools/list_changed`, …): the only ones
 * a shared backend broadcasts. Everything else is about someone's call and goes to its owner, or nowhere.
 */
export const isBroadcast = (method: string): boolean => method.endsWith('/list_changed');

/** `taskId` of a params object, a `task` object or a task listing entry. */
export function taskIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { taskId?: unknown }).taskId;
  return typeof id === 'string' ? id : undefined;
}

/** The task a message's `_meta` ties it to, if any. */
export function relatedTaskOf(
  params: { _meta?: Record<string, unknown> | undefined } | undefined,
): string | undefined {
  return taskIdOf(params?._meta?.[RELATED_TASK_META]);
}

/** The `elicitationId` of a URL-mode `elicitation/create`, whose completion is notified later. */
export function elicitationIdOf(request: JSONRPCRequest): string | undefined {
  if (request.method !== 'elicitation/create') return undefined;
  const id = request.params?.elicitationId;
  return typeof id === 'string' ? id : undefined;
}

/** Why a backend message reached no session. */
export type DropReason = 'ambiguous' | 'no-session' | 'session-closed' | 'limit';

/** Options of {@link SharedBackend}. */
export interface SharedBackendOptions {
  /** Most translated entries (requests in flight across all sessions) at once (default 100,000). */
  maxEntries?: number | undefined;
  /** Most server→client requests awaiting an answer, in total (default 10,000) and per session (1,000). */
  maxServerRequests?: number | undefined;
  maxServerRequestsPerSession?: number | undefined;
  /** Most resource subscriptions, in total (default 100,000) and per session (1,000). */
  maxSubscriptions?: number | undefined;
  maxSubscriptionsPerSession?: number | undefined;
  /** Most task and elicitation ownership records kept (default 10,000 each; the oldest are forgotten). */
  maxOwnershipRecords?: number | undefined;
  /**
   * How long a call whose client stopped waiting (cancelled, timed out, session closed) is assumed to
   * keep running at the server and may still call back, in ms (default 60,000).
   */
  abandonedCallTtlMs?: number | undefined;
  onError?: ((error: Error) => void) | undefined;
  /** A backend message that reached no session (counted; worth a debug log, never more). */
  onDropped?:
    ((info: { method: string; kind: 'request' | 'notification'; reason: DropReason }) => void) | undefined;
}

/** What a refused server→client request tells the backend (and through it, the caller). */
export const REFUSALS: Record<DropReason, string> = {
  ambiguous:
    'switchboard: several client sessions share this backend and have calls in flight; which one this request is for cannot be known, so it was refused (use per-session mode for servers that call back concurrently)',
  'no-session': 'No client session is connected to answer this request',
  'session-closed': 'The client session this request was for closed',
  limit: 'Too many server requests are waiting for client answers',
};
