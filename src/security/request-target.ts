import type { PolicyTarget } from './policy.js';

/** The tool, resource or prompt a request acts on. */
export interface RequestTarget {
  kind: PolicyTarget;
  name: string;
}

function stringParam(params: unknown, key: string): string | undefined {
  const v = (params as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * What a request acts on, for the authorization policy: `tools/call` → the tool, `resources/read` and
 * `resources/(un)subscribe` → the URI, `prompts/get` → the prompt, `completion/complete` → its `ref`.
 * A targeted method without its name yields an empty name, which no pattern but `*` allows.
 *
 * @param method - the JSON-RPC method
 * @param params - its params
 */
export function requestTarget(method: string, params: unknown): RequestTarget | undefined {
  switch (method) {
    case 'tools/call':
      return { kind: 'tools', name: stringParam(params, 'name') ?? '' };
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return { kind: 'resources', name: stringParam(params, 'uri') ?? '' };
    case 'prompts/get':
      return { kind: 'prompts', name: stringParam(params, 'name') ?? '' };
    case 'completion/complete': {
      const ref = (params as { ref?: unknown } | null | undefined)?.ref;
      const type = stringParam(ref, 'type');
      if (type === 'ref/prompt') return { kind: 'prompts', name: stringParam(ref, 'name') ?? '' };
      if (type === 'ref/resource') return { kind: 'resources', name: stringParam(ref, 'uri') ?? '' };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** How a list result is filtered: which array, which kind, which member names the item. */
export interface ListFilter {
  kind: PolicyTarget;
  array: string;
  key: string;
}

/** The list methods whose results the policy filters. */
export const LIST_FILTERS: Readonly<Record<string, ListFilter>> = {
  'tools/list': { kind: 'tools', array: 'tools', key: 'name' },
  'resources/list': { kind: 'resources', array: 'resources', key: 'uri' },
  'resources/templates/list': { kind: 'resources', array: 'resourceTemplates', key: 'uriTemplate' },
  'prompts/list': { kind: 'prompts', array: 'prompts', key: 'name' },
};

/** The tool a `tools/call` names (for per-tool rate limits), else `undefined`. */
export function toolOf(method: string, params: unknown): string | undefined {
  return method === 'tools/call' ? stringParam(params, 'name') : undefined;
}
