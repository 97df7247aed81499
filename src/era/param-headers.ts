import type { JSONRPCRequest } from '../protocol/messages.js';
import { encodeHeaderValue } from '../transports/http/shared/header-value.js';
import { McpHeader } from '../transports/http/shared/headers.js';
import { ToolHeaderRegistry } from '../transports/http/server/tool-headers.js';

function valueAt(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The `Mcp-Param-{Name}` headers a 2026-07-28 HTTP request must carry, computed the way a 2026 client
 * does: from the `x-mcp-header` annotations of the tool's input schema (learned from `tools/list`
 * results that passed by), each value encoded with the spec's Base64 sentinel rule when needed.
 */
export class ParamHeaders {
  readonly #tools = new ToolHeaderRegistry();

  /** Learns the annotations of a `tools/list` result. */
  learn(result: unknown): void {
    this.#tools.learn(result);
  }

  /** The headers of a `tools/call` request, or `undefined` when it needs none. */
  for(request: JSONRPCRequest): Record<string, string> | undefined {
    if (request.method !== 'tools/call' || typeof request.params?.name !== 'string') return undefined;
    const declared = this.#tools.declarations(request.params.name);
    if (declared === undefined || declared.length === 0) return undefined;
    let out: Record<string, string> | undefined;
    for (const d of declared) {
      const value = valueAt(request.params.arguments, d.path);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
      out ??= {};
      out[d.header] = encodeHeaderValue(String(value));
    }
    return out;
  }
}

/**
 * The `Mcp-Param-*` headers a client sent with one HTTP request (known and unknown alike: the spec
 * says intermediaries MUST forward unknown `Mcp-Param-*` headers), or `undefined` when there are none.
 */
export function forwardedParamHeaders(
  headers: Record<string, string | string[] | undefined> | undefined,
): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  let out: Record<string, string> | undefined;
  // Runs for every tools/call: a key loop, not Object.entries (an array of pairs per request).
  for (const name in headers) {
    if (!name.startsWith(McpHeader.paramPrefix)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    out ??= {};
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
