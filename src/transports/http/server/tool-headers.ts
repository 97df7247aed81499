import { McpHeader } from '../shared/headers.js';

/** One tool argument mirrored into an `Mcp-Param-{Name}` header (2026-07-28 `x-mcp-header`). */
export interface ParamHeaderDeclaration {
  /** The full header name, lower case (`mcp-param-region`). */
  header: string;
  /** The property path inside `arguments` (a chain of `properties` keys). */
  path: readonly string[];
}

/** Default bound on remembered tools. */
export const DEFAULT_MAX_TOOLS = 10_000;

const MAX_DEPTH = 32;
const PRIMITIVE = new Set(['string', 'integer', 'boolean']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The `x-mcp-header` declarations of a tool input schema: annotated primitive properties reachable from
 * the root through `properties` keys only (annotations elsewhere are invalid and ignored here; clients
 * drop such tools).
 */
export function scanParamHeaders(inputSchema: unknown): ParamHeaderDeclaration[] {
  const out: ParamHeaderDeclaration[] = [];
  const walk = (schema: unknown, path: string[]): void => {
    if (path.length > MAX_DEPTH || !isRecord(schema) || !isRecord(schema.properties)) return;
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (!isRecord(sub)) continue;
      const name = sub['x-mcp-header'];
      if (
        typeof name === 'string' &&
        name !== '' &&
        typeof sub.type === 'string' &&
        PRIMITIVE.has(sub.type)
      ) {
        out.push({ header: McpHeader.paramPrefix + name.toLowerCase(), path: [...path, key] });
      }
      walk(sub, [...path, key]);
    }
  };
  walk(inputSchema, []);
  return out;
}

/**
 * What the listener learned about tools from `tools/list` results passing through it, so it can check
 * `Mcp-Param-*` headers against `tools/call` bodies. Bounded: the oldest tools are forgotten first.
 */
export class ToolHeaderRegistry {
  readonly #tools = new Map<string, ParamHeaderDeclaration[]>();
  readonly #max: number;

  /** @param max - bound on remembered tools (default 10 000) */
  constructor(max = DEFAULT_MAX_TOOLS) {
    this.#max = max;
  }

  /** Records the declarations found in a `tools/list` result. Tools without any are remembered too. */
  learn(result: unknown): void {
    if (!isRecord(result) || !Array.isArray(result.tools)) return;
    for (const tool of result.tools) {
      if (!isRecord(tool) || typeof tool.name !== 'string') continue;
      this.#tools.delete(tool.name);
      this.#tools.set(tool.name, scanParamHeaders(tool.inputSchema));
      if (this.#tools.size > this.#max) {
        const oldest = this.#tools.keys().next().value;
        if (oldest !== undefined) this.#tools.delete(oldest);
      }
    }
  }

  /** The declarations of a tool, or `undefined` when it was never listed. */
  declarations(toolName: string): readonly ParamHeaderDeclaration[] | undefined {
    return this.#tools.get(toolName);
  }
}
