import { createHash } from 'node:crypto';
import type { PromptEntry, ResourceEntry, ResourceTemplateEntry, ToolEntry } from '../introspect/report.js';
import type { ServerSurface } from '../schema/surface.js';
import { canonicalJson, compareCodePoints } from './canonical-json.js';

// The catalog is what a generated client is made from: the server's identity plus its tools, prompts,
// resources and templates, reduced to the members that shape the code and sorted, so that the same
// server always gives the same catalog whatever order it lists things in.

/** A tool as the generator sees it. */
export type CatalogTool = Pick<
  ToolEntry,
  'name' | 'title' | 'description' | 'inputSchema' | 'outputSchema' | 'annotations'
> & {
  /** How the tool runs (`taskSupport: 'required'` means only as a task). */
  execution?: { taskSupport?: string | undefined } | undefined;
};

function executionOf(tool: ToolEntry): CatalogTool['execution'] {
  const execution = (tool as { execution?: unknown }).execution;
  if (typeof execution !== 'object' || execution === null) return undefined;
  const taskSupport = (execution as { taskSupport?: unknown }).taskSupport;
  return typeof taskSupport === 'string' ? { taskSupport } : undefined;
}
/** A prompt as the generator sees it. */
export type CatalogPrompt = Pick<PromptEntry, 'name' | 'title' | 'description' | 'arguments'>;
/** A resource as the generator sees it. */
export type CatalogResource = Pick<ResourceEntry, 'uri' | 'name' | 'title' | 'description' | 'mimeType'>;
/** A resource template as the generator sees it. */
export type CatalogTemplate = Pick<
  ResourceTemplateEntry,
  'uriTemplate' | 'name' | 'title' | 'description' | 'mimeType'
>;

/** Everything a generated client is made from (also written to `mcp-catalog.json`). */
export interface Catalog {
  catalogVersion: 1;
  /** The server's name and version (not part of the hash: a version bump alone is no change). */
  server: { name: string; version: string; title?: string | undefined } | null;
  tools: CatalogTool[];
  prompts: CatalogPrompt[];
  resources: CatalogResource[];
  resourceTemplates: CatalogTemplate[];
}

function pick<T extends object, K extends keyof T>(entry: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (entry[key] !== undefined) out[key] = entry[key];
  return out;
}

const byKey =
  <T>(...keys: ((item: T) => string)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const order = compareCodePoints(key(a), key(b));
      if (order !== 0) return order;
    }
    return 0;
  };

/**
 * The catalog of a server, from an inspect report (or any {@link ServerSurface}).
 *
 * @param surface - what `inspectServer()` returned
 * @example
 * ```ts
 * const catalog = catalogOf(await inspectServer(transport, { target }));
 * ```
 */
export function catalogOf(surface: ServerSurface): Catalog {
  const info = surface.serverInfo;
  return {
    catalogVersion: 1,
    server: info ? pick(info, ['name', 'version', 'title']) : null,
    tools: surface.tools
      .map((t) => {
        const tool: CatalogTool = pick(t, [
          'name',
          'title',
          'description',
          'inputSchema',
          'outputSchema',
          'annotations',
        ]);
        const execution = executionOf(t);
        if (execution !== undefined) tool.execution = execution;
        return tool;
      })
      .sort(byKey((t) => t.name)),
    prompts: surface.prompts
      .map((p) => pick(p, ['name', 'title', 'description', 'arguments']))
      .sort(byKey((p) => p.name)),
    resources: surface.resources
      .map((r) => pick(r, ['uri', 'name', 'title', 'description', 'mimeType']))
      .sort(
        byKey(
          (r) => r.name,
          (r) => r.uri,
        ),
      ),
    resourceTemplates: surface.resourceTemplates
      .map((r) => pick(r, ['uriTemplate', 'name', 'title', 'description', 'mimeType']))
      .sort(
        byKey(
          (r) => r.name,
          (r) => r.uriTemplate,
        ),
      ),
  };
}

/**
 * The hash of a catalog's tools, prompts, resources and templates: `sha256-` and 64 hex digits of the
 * canonical JSON (sorted keys). The server's name and version are not part of it.
 *
 * @param catalog - from {@link catalogOf}
 */
export function catalogHash(catalog: Catalog): string {
  const { tools, prompts, resources, resourceTemplates } = catalog;
  const digest = createHash('sha256')
    .update(canonicalJson({ tools, prompts, resources, resourceTemplates }))
    .digest('hex');
  return `sha256-${digest}`;
}

/** What changed between two catalogs, by list and name. */
export interface CatalogDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

/**
 * Lists what was added, removed or changed between two catalogs, as `tool echo`, `prompt greet`,
 * `resource demo://readme`, `template demo://greeting/{name}`.
 *
 * @param before - the catalog a client was generated from
 * @param after - the server's catalog now
 */
export function diffCatalogs(before: Catalog, after: Catalog): CatalogDiff {
  const diff: CatalogDiff = { added: [], removed: [], changed: [] };
  const lists: [string, (c: Catalog) => { key: string; value: unknown }[]][] = [
    ['tool', (c) => c.tools.map((t) => ({ key: t.name, value: t }))],
    ['prompt', (c) => c.prompts.map((p) => ({ key: p.name, value: p }))],
    ['resource', (c) => c.resources.map((r) => ({ key: r.uri, value: r }))],
    ['template', (c) => c.resourceTemplates.map((r) => ({ key: r.uriTemplate, value: r }))],
  ];
  for (const [label, entries] of lists) {
    const old = new Map(entries(before).map((e) => [e.key, canonicalJson(e.value)]));
    const now = new Map(entries(after).map((e) => [e.key, canonicalJson(e.value)]));
    for (const [key, text] of now) {
      const previous = old.get(key);
      if (previous === undefined) diff.added.push(`${label} ${key}`);
      else if (previous !== text) diff.changed.push(`${label} ${key}`);
    }
    for (const key of old.keys()) if (!now.has(key)) diff.removed.push(`${label} ${key}`);
  }
  return diff;
}
