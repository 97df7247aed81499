import type { JSONRPCRequest } from '../protocol/messages.js';
import type { ToolSafety } from './queue-types.js';

/** Methods without side effects: always safe to run again after a worker died mid-request. */
const READ_ONLY_METHODS = new Set([
  'ping',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'server/discover',
]);

/**
 * Whether a request a dead worker had started may run again: read-only methods always; `tools/call`
 * when the tool is annotated `readOnlyHint` or `idempotentHint` (as learnt from `tools/list`), or when
 * the operator allows re-running everything; anything else never.
 *
 * @param lookup - what the pool knows about a tool
 */
export async function mayRerun(
  request: JSONRPCRequest,
  rerunUnsafe: boolean,
  lookup: (tool: string) => Promise<ToolSafety | undefined>,
): Promise<{ rerun: boolean; why: string }> {
  if (READ_ONLY_METHODS.has(request.method)) return { rerun: true, why: 'read-only method' };
  if (rerunUnsafe) return { rerun: true, why: 'configured to re-run every request' };
  if (request.method !== 'tools/call')
    return { rerun: false, why: `"${request.method}" may have side effects` };
  const name = request.params?.name;
  if (typeof name !== 'string') return { rerun: false, why: 'the tool name is missing' };
  const safety = await lookup(name).catch(() => undefined);
  if (safety === 'safe') return { rerun: true, why: `tool "${name}" is read-only or idempotent` };
  return {
    rerun: false,
    why:
      safety === 'unsafe'
        ? `tool "${name}" is not annotated readOnlyHint or idempotentHint`
        : `nothing is known about tool "${name}" (no tools/list seen)`,
  };
}

/** Re-run safety of each tool of a `tools/list` result, from its annotations. */
export function toolSafetyOf(result: unknown): Record<string, ToolSafety> {
  const tools = (result as { tools?: unknown } | null)?.tools;
  const out: Record<string, ToolSafety> = {};
  if (!Array.isArray(tools)) return out;
  for (const tool of tools as { name?: unknown; annotations?: Record<string, unknown> }[]) {
    if (typeof tool.name !== 'string') continue;
    const a = tool.annotations ?? {};
    out[tool.name] = a.readOnlyHint === true || a.idempotentHint === true ? 'safe' : 'unsafe';
  }
  return out;
}
