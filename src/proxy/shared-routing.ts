import type { JSONRPCRequest } from '../protocol/messages.js';

/** The `_meta` key that ties a message to a task (MCP 2025-11-25 tasks). */
export const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';

/** Client requests that name a task by `params.taskId`: only the session that owns the task may send them. */
export const TASK_REQUESTS: ReadonlySet<string> = new Set(['tasks/get', 'tasks/result', 'tasks/cancel']);

/** Requests during which a server may send sampling/elicitation/roots requests: not lists, not ping. */
export const canCallBack = (method: string): boolean =>
  method !== 'ping' && !method.endsWith('/list') && method !== 'initialize';

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
