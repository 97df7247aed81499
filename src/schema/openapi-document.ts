import type { PromptEntry } from '../introspect/report.js';
import { embedSchema } from './embed-schema.js';
import { NameScope, pascalCase } from './names.js';
import type { ServerSurface } from './surface.js';

// The pieces both OpenAPI layouts share (the `schema openapi` document and the REST adapter's):
// claimed component and operation names, paths that OpenAPI considers distinct, escaped server text.

/** A JSON object of an OpenAPI document. */
export type Obj = Record<string, unknown>;

/** The media type of JSON bodies. */
export const JSON_MEDIA = 'application/json';

/** `{ $ref: '#/components/schemas/<name>' }`. */
export const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });

/** A `content` map with one JSON media type (and its example, when given). */
export const jsonContent = (schema: Obj, example?: unknown): Obj => ({
  [JSON_MEDIA]: example === undefined ? { schema } : { schema, example },
});

/**
 * Escapes HTML in server-provided text for OpenAPI `description`/`summary` fields: they are CommonMark,
 * which passes raw HTML through to documentation UIs. Escaped, the text renders as the server wrote it.
 *
 * @param text - untrusted text
 */
export function escapeDescription(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** {@link escapeDescription}, passing `undefined` through. */
export const esc = (text: string | undefined): string | undefined =>
  text === undefined ? undefined : escapeDescription(text);

/** A copy of `object` without its `undefined` members. */
export function defined<T extends Obj>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

// The path-normalised form used to detect templated paths that OpenAPI considers identical.
const pathShape = (path: string): string => path.replace(/\{[^}]*\}/g, '{}');

/**
 * One OpenAPI document being built: component schemas and operation ids claimed without collisions,
 * paths added only when no equivalent templated path exists.
 */
export class OpenApiDocument {
  readonly components: Record<string, unknown>;
  readonly operationIds: NameScope;
  readonly paths: Record<string, Obj> = {};
  readonly #componentNames: NameScope;
  readonly #shapes = new Set<string>();

  /**
   * @param fixed - component schemas present from the start (their names are reserved)
   * @param reservedOperationIds - operation ids the layout uses itself
   */
  constructor(fixed: Readonly<Record<string, unknown>>, reservedOperationIds: readonly string[]) {
    this.components = { ...fixed };
    this.#componentNames = new NameScope(Object.keys(fixed));
    this.operationIds = new NameScope(reservedOperationIds);
  }

  /** Adds a path item; `false` (nothing added) when the path or an equivalent one exists. */
  addPath(path: string, item: Obj): boolean {
    if (this.hasPath(path)) return false;
    this.paths[path] = item;
    this.#shapes.add(pathShape(path));
    return true;
  }

  /** Whether `path` (or a templated path OpenAPI considers identical) is taken. */
  hasPath(path: string): boolean {
    return this.paths[path] !== undefined || this.#shapes.has(pathShape(path));
  }

  /** Stores a server's JSON Schema as a component (local `$ref`s re-rooted); returns its name. */
  component(base: string, schema: unknown): string {
    const name = this.#componentNames.claim(base);
    this.components[name] = embedSchema(schema, `#/components/schemas/${name}`, escapeDescription);
    return name;
  }

  /** The component of a prompt's arguments (all strings), or `undefined` when it takes none. */
  promptArguments(prompt: PromptEntry): { name: string; required: boolean } | undefined {
    const args = prompt.arguments ?? [];
    if (args.length === 0) return undefined;
    const required = args.filter((a) => a.required === true).map((a) => a.name);
    const schema = defined({
      type: 'object',
      properties: Object.fromEntries(
        args.map((a) => [a.name, defined({ type: 'string', description: a.description })]),
      ),
      required: required.length > 0 ? required : undefined,
      additionalProperties: false,
    });
    return {
      name: this.component(`${pascalCase(prompt.name, 'Prompt')}PromptArguments`, schema),
      required: required.length > 0,
    };
  }
}

/** The `info` object of a server's document. */
export function documentInfo(surface: ServerSurface): Obj {
  const info = surface.serverInfo;
  return defined({
    title: info?.title ?? info?.name ?? 'MCP server',
    version: info?.version ?? '0.0.0',
    description: esc(surface.instructions ?? undefined),
    'x-mcp-server': info?.name,
    'x-mcp-protocol-version': surface.protocol.version ?? undefined,
  });
}
