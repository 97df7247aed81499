import type { PromptEntry, ResourceEntry, ResourceTemplateEntry, ToolEntry } from '../introspect/report.js';
import type { ProtocolEra } from '../protocol/versions.js';
import type { ServerSurface } from '../schema/surface.js';
import type { AuthInfo } from '../transport.js';

/** One of the four listings of a catalog. */
export type ListingKind = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

/**
 * Filters a listing for a caller (e.g. by the authorization policy): what `GET /tools` and GraphQL's
 * `tools` field show. Calls are authorized per caller by the proxy either way.
 */
export type ListFilter = (
  kind: ListingKind,
  items: readonly unknown[],
  caller: AuthInfo | undefined,
) => unknown[];

/**
 * Namespaced tool names, as a gateway exposes them: `<server><separator><tool>`. With namespaces the
 * REST adapter also answers `POST /{server}/{tool}` and tags tools by server.
 */
export interface CatalogNamespaces {
  /** Between the server name and the tool name (a gateway uses `__`). */
  separator: string;
  /** The server names. */
  servers: readonly string[];
}

/** The listings of a catalog. */
export interface CatalogListings {
  tools: readonly ToolEntry[];
  resources: readonly ResourceEntry[];
  resourceTemplates: readonly ResourceTemplateEntry[];
  prompts: readonly PromptEntry[];
}

/** What a catalog knows about the server besides its listings. */
export interface CatalogServer {
  serverInfo: ServerSurface['serverInfo'];
  protocol: { version: string | null; era: ProtocolEra };
  instructions: string | null;
  capabilities: Readonly<Record<string, unknown>>;
}

/**
 * One immutable snapshot of what an MCP server offers, as the adapters serve it: a new snapshot with a
 * higher {@link revision} replaces it whenever a `list_changed` notification (or a reconnection)
 * changes a listing. Lookups by name are O(1).
 */
export class Catalog implements ServerSurface {
  readonly revision: number;
  readonly serverInfo: ServerSurface['serverInfo'];
  readonly protocol: { version: string | null; era: ProtocolEra };
  readonly instructions: string | null;
  readonly capabilities: Readonly<Record<string, unknown>>;
  readonly tools: ToolEntry[];
  readonly resources: ResourceEntry[];
  readonly resourceTemplates: ResourceTemplateEntry[];
  readonly prompts: PromptEntry[];
  readonly namespaces: CatalogNamespaces | undefined;
  readonly #tools: Map<string, ToolEntry>;
  readonly #templates: Map<string, ResourceTemplateEntry>;
  readonly #prompts: Map<string, PromptEntry>;

  /**
   * @param revision - increases with every change
   * @param server - server facts
   * @param listings - the four lists
   * @param namespaces - namespaced tool names (a gateway), if any
   */
  constructor(
    revision: number,
    server: CatalogServer,
    listings: CatalogListings,
    namespaces?: CatalogNamespaces,
  ) {
    this.revision = revision;
    this.serverInfo = server.serverInfo;
    this.protocol = server.protocol;
    this.instructions = server.instructions;
    this.capabilities = server.capabilities;
    this.tools = [...listings.tools];
    this.resources = [...listings.resources];
    this.resourceTemplates = [...listings.resourceTemplates];
    this.prompts = [...listings.prompts];
    this.namespaces = namespaces;
    // First entry wins for duplicate names (a misbehaving server); the lists keep them all.
    this.#tools = firstByName(this.tools, (t) => t.name);
    this.#templates = firstByName(this.resourceTemplates, (t) => t.name);
    this.#prompts = firstByName(this.prompts, (p) => p.name);
  }

  /** A copy with `revision` and some listings replaced. */
  with(revision: number, listings: Partial<CatalogListings>): Catalog {
    return new Catalog(
      revision,
      this,
      {
        tools: listings.tools ?? this.tools,
        resources: listings.resources ?? this.resources,
        resourceTemplates: listings.resourceTemplates ?? this.resourceTemplates,
        prompts: listings.prompts ?? this.prompts,
      },
      this.namespaces,
    );
  }

  /** The tool called `name`. */
  tool(name: string): ToolEntry | undefined {
    return this.#tools.get(name);
  }

  /** The resource template called `name`. */
  resourceTemplate(name: string): ResourceTemplateEntry | undefined {
    return this.#templates.get(name);
  }

  /** The prompt called `name`. */
  prompt(name: string): PromptEntry | undefined {
    return this.#prompts.get(name);
  }

  /**
   * The tool of `server` called `tool` in a namespaced catalog (`POST /{server}/{tool}`), if both exist.
   *
   * @param server - a server name the namespaces declare
   * @param tool - the tool's name on that server
   */
  namespacedTool(server: string, tool: string): ToolEntry | undefined {
    const ns = this.namespaces;
    if (ns === undefined || !ns.servers.includes(server)) return undefined;
    return this.#tools.get(`${server}${ns.separator}${tool}`);
  }
}

function firstByName<T>(items: readonly T[], name: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(name(item))) map.set(name(item), item);
  return map;
}
