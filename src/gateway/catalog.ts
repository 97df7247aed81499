import type { ProtocolEra } from '../protocol/versions.js';
import { gatewayCapabilities } from './capabilities.js';
import { compileServerFilters, type CompiledServerFilters, type ServerFilters } from './name-filter.js';
import type { Namespace } from './namespace.js';
import { uriTemplatePattern } from './uri-template-match.js';

/** One item of a list result (a tool, prompt, resource or resource template), as the server sent it. */
export type CatalogItem = Readonly<Record<string, unknown>>;

/** The four lists a gateway merges. */
export type CatalogKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

/** Every {@link CatalogKind}. */
export const CATALOG_KINDS: readonly CatalogKind[] = ['tools', 'prompts', 'resources', 'resourceTemplates'];

/** Where a server stands: listed and serving (`up`), not yet listed (`starting`), or withdrawn (`down`). */
export type ServerStatus = 'starting' | 'up' | 'down';

/** What a server said about itself and offers, as fetched by its catalog session. */
export interface ServerListing {
  tools: readonly CatalogItem[];
  prompts: readonly CatalogItem[];
  resources: readonly CatalogItem[];
  resourceTemplates: readonly CatalogItem[];
  capabilities: Readonly<Record<string, unknown>>;
  serverInfo?: Readonly<Record<string, unknown>> | undefined;
  instructions?: string | undefined;
  /** The protocol era the server speaks. */
  era: ProtocolEra;
}

/** Where an exposed tool or prompt name leads. */
export type NameTarget =
  { status: 'up'; server: string; name: string } | { status: 'down'; server: string; name: string };

/** A change of the merged catalog. */
export interface CatalogChange {
  /** The server whose listing or status changed. */
  server: string;
  status: ServerStatus;
  /** The lists that changed (empty when only the status did, e.g. a server came up with nothing). */
  kinds: ReadonlySet<CatalogKind>;
}

/** Something worth a log line (never a failure of the catalog). */
export type CatalogReport = { type: 'duplicate-uri'; uri: string; served: string; ignored: string };

interface ServerEntry {
  readonly name: string;
  readonly filters: CompiledServerFilters;
  status: ServerStatus;
  listing: ServerListing | undefined;
  reason: string | undefined;
}

interface Merged {
  lists: Record<CatalogKind, CatalogItem[]>;
  tools: Map<string, NameTarget>;
  prompts: Map<string, NameTarget>;
  uris: Map<string, { server: string; up: boolean }>;
  templates: Map<string, { server: string; up: boolean }>;
  patterns: { server: string; up: boolean; re: RegExp }[];
  schemes: Map<string, Set<string>>;
}

const schemeOf = (uri: string): string | undefined => /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();

/** Options of {@link Catalog}. */
export interface CatalogOptions {
  /** The servers, in configuration order (which decides who serves a URI listed twice). */
  servers: readonly { name: string; filters?: ServerFilters | undefined }[];
  namespace: Namespace;
  /** Told about oddities worth a log line (a URI listed by two servers). */
  onReport?: ((report: CatalogReport) => void) | undefined;
}

/**
 * The merged catalog of a gateway, and the only place that knows names: what each server offers
 * (after its allow/deny filters), the exposed names of tools and prompts (`<server>__<tool>` ⇄
 * `(server, tool)`), who owns each resource URI and template, and each server's status.
 *
 * A server that goes down keeps its last listing as *withdrawn*: its items leave the lists, and a call
 * to one of its names resolves to `status: 'down'` (so the caller can name the server in its error).
 *
 * @example
 * ```ts
 * const catalog = new Catalog({ servers: [{ name: 'files' }], namespace: new Namespace({ separator: '__' }, ['files']) });
 * catalog.setListing('files', listing);
 * catalog.resolveTool('files__read'); // { status: 'up', server: 'files', name: 'read' }
 * ```
 */
export class Catalog {
  readonly #servers: ServerEntry[];
  readonly #byName = new Map<string, ServerEntry>();
  readonly #namespace: Namespace;
  readonly #onReport: ((report: CatalogReport) => void) | undefined;
  readonly #listeners = new Set<(change: CatalogChange) => void>();
  #merged: Merged;
  #version = 0;

  /** @param options - servers in order, naming rule, report hook */
  constructor(options: CatalogOptions) {
    this.#namespace = options.namespace;
    this.#onReport = options.onReport;
    this.#servers = options.servers.map((s) => ({
      name: s.name,
      filters: compileServerFilters(s.name, s.filters),
      status: 'starting',
      listing: undefined,
      reason: undefined,
    }));
    for (const s of this.#servers) this.#byName.set(s.name, s);
    this.#merged = this.#merge();
  }

  /** Grows on every change: lets views cache what they derived. */
  get version(): number {
    return this.#version;
  }

  /** The naming rule. */
  get namespace(): Namespace {
    return this.#namespace;
  }

  /** The servers' names, in configuration order. */
  get serverNames(): string[] {
    return this.#servers.map((s) => s.name);
  }

  /** Status of every server (and why it is down), in configuration order. */
  statuses(): { server: string; status: ServerStatus; reason?: string }[] {
    return this.#servers.map((s) => ({
      server: s.name,
      status: s.status,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
    }));
  }

  /** A server's status (`undefined` for an unknown name). */
  status(server: string): ServerStatus | undefined {
    return this.#byName.get(server)?.status;
  }

  /** Why a server is down, if it is. */
  reason(server: string): string | undefined {
    return this.#byName.get(server)?.reason;
  }

  /** The era a server speaks, once listed. */
  era(server: string): ProtocolEra | undefined {
    return this.#byName.get(server)?.listing?.era;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (change: CatalogChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A server's fresh listing (it is up). Items its filters hide are dropped here.
   *
   * @param server - a configured server name
   */
  setListing(server: string, listing: ServerListing): void {
    const entry = this.#entry(server);
    const filtered = this.#filter(entry, listing);
    const kinds = new Set<CatalogKind>();
    for (const kind of CATALOG_KINDS) {
      const before = entry.status === 'up' ? entry.listing?.[kind] : [];
      if (!sameItems(before ?? [], filtered[kind])) kinds.add(kind);
    }
    const statusChanged = entry.status !== 'up';
    entry.status = 'up';
    entry.reason = undefined;
    entry.listing = filtered;
    if (kinds.size > 0 || statusChanged) this.#changed({ server, status: 'up', kinds });
  }

  /**
   * A server went down: its items are withdrawn (kept to name it in errors) until the next listing.
   *
   * @param reason - shown to clients calling its tools
   */
  setDown(server: string, reason: string): void {
    const entry = this.#entry(server);
    const kinds = new Set<CatalogKind>();
    if (entry.status === 'up') {
      for (const kind of CATALOG_KINDS) if ((entry.listing?.[kind].length ?? 0) > 0) kinds.add(kind);
    }
    const statusChanged = entry.status !== 'down';
    entry.status = 'down';
    entry.reason = reason;
    if (statusChanged) this.#changed({ server, status: 'down', kinds });
  }

  /** The merged list of a kind (servers that are up, configuration order, exposed names). */
  list(kind: CatalogKind): readonly CatalogItem[] {
    return this.#merged.lists[kind];
  }

  /** Where an exposed tool name leads (`undefined`: nobody serves it, or a filter hides it). */
  resolveTool(exposed: string): NameTarget | undefined {
    return this.#merged.tools.get(exposed);
  }

  /** Where an exposed prompt name leads. */
  resolvePrompt(exposed: string): NameTarget | undefined {
    return this.#merged.prompts.get(exposed);
  }

  /**
   * The server that owns a resource URI: the first (in configuration order) that listed it, else the
   * first whose template matches it, else the only server using its URI scheme.
   */
  ownerOfUri(uri: string): { server: string; up: boolean } | undefined {
    const m = this.#merged;
    const listed = m.uris.get(uri);
    if (listed) return listed;
    const byTemplate = m.patterns.find((p) => p.re.test(uri));
    if (byTemplate) return { server: byTemplate.server, up: byTemplate.up };
    const scheme = schemeOf(uri);
    const owners = scheme === undefined ? undefined : m.schemes.get(scheme);
    if (owners?.size === 1) {
      const server = [...owners][0] as string;
      return { server, up: this.#byName.get(server)?.status === 'up' };
    }
    return undefined;
  }

  /** The server that listed a resource template (for `completion/complete` on `ref/resource`). */
  ownerOfTemplate(uriTemplate: string): { server: string; up: boolean } | undefined {
    return this.#merged.templates.get(uriTemplate) ?? this.ownerOfUri(uriTemplate);
  }

  /** `true` when a resource URI (or template) passes the filters of the server that would serve it. */
  resourceAllowed(server: string, uri: string): boolean {
    return this.#byName.get(server)?.filters.resources.passes(uri) ?? false;
  }

  /** Union of the capabilities of the servers that are up (listChanged on for every list kind). */
  capabilities(): Record<string, unknown> {
    return gatewayCapabilities(
      this.#servers.filter((s) => s.status === 'up').map((s) => ({ ...s.listing?.capabilities })),
    );
  }

  /**
   * Each up server's instructions under its name, after `preamble` (if any).
   *
   * @param include - only these servers (default: all)
   */
  instructions(preamble?: string, include?: (server: string) => boolean): string | undefined {
    const parts = preamble ? [preamble] : [];
    for (const s of this.#servers) {
      const text = s.status === 'up' && (include?.(s.name) ?? true) ? s.listing?.instructions : undefined;
      if (text) parts.push(`## ${s.name}\n${text}`);
    }
    return parts.length > 0 ? parts.join('\n\n') : undefined;
  }

  #entry(server: string): ServerEntry {
    const entry = this.#byName.get(server);
    if (entry === undefined) throw new RangeError(`Unknown server "${server}"`);
    return entry;
  }

  #filter(entry: ServerEntry, listing: ServerListing): ServerListing {
    const f = entry.filters;
    const named = (items: readonly CatalogItem[], filter: typeof f.tools): CatalogItem[] =>
      filter.open ? [...items] : items.filter((i) => typeof i.name === 'string' && filter.passes(i.name));
    const byUri = (items: readonly CatalogItem[], key: 'uri' | 'uriTemplate'): CatalogItem[] =>
      f.resources.open
        ? [...items]
        : items.filter((i) => typeof i[key] === 'string' && f.resources.passes(i[key]));
    return {
      ...listing,
      tools: named(listing.tools, f.tools),
      prompts: named(listing.prompts, f.prompts),
      resources: byUri(listing.resources, 'uri'),
      resourceTemplates: byUri(listing.resourceTemplates, 'uriTemplate'),
    };
  }

  #changed(change: CatalogChange): void {
    this.#merged = this.#merge();
    this.#version++;
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not stop the others.
      }
    }
  }

  #merge(): Merged {
    const m: Merged = {
      lists: { tools: [], prompts: [], resources: [], resourceTemplates: [] },
      tools: new Map(),
      prompts: new Map(),
      uris: new Map(),
      templates: new Map(),
      patterns: [],
      schemes: new Map(),
    };
    for (const s of this.#servers) {
      const listing = s.listing;
      if (listing === undefined || s.status === 'starting') continue;
      const up = s.status === 'up';
      this.#mergeNamed(s.name, up, listing.tools, m.tools, m.lists.tools);
      this.#mergeNamed(s.name, up, listing.prompts, m.prompts, m.lists.prompts);
      for (const r of listing.resources) {
        if (typeof r.uri !== 'string') continue;
        this.#addScheme(m, r.uri, s.name);
        const first = m.uris.get(r.uri);
        if (first !== undefined) {
          if (up && first.up)
            this.#onReport?.({ type: 'duplicate-uri', uri: r.uri, served: first.server, ignored: s.name });
          continue;
        }
        m.uris.set(r.uri, { server: s.name, up });
        if (up) m.lists.resources.push(r);
      }
      for (const t of listing.resourceTemplates) {
        if (typeof t.uriTemplate !== 'string' || m.templates.has(t.uriTemplate)) continue;
        m.templates.set(t.uriTemplate, { server: s.name, up });
        m.patterns.push({ server: s.name, up, re: uriTemplatePattern(t.uriTemplate) });
        this.#addScheme(m, t.uriTemplate, s.name);
        if (up) m.lists.resourceTemplates.push(t);
      }
    }
    return m;
  }

  #mergeNamed(
    server: string,
    up: boolean,
    items: readonly CatalogItem[],
    map: Map<string, NameTarget>,
    list: CatalogItem[],
  ): void {
    for (const item of items) {
      if (typeof item.name !== 'string') continue;
      const exposed = this.#namespace.expose(server, item.name);
      // Server names cannot collide (see Namespace); a server listing a name twice keeps the first.
      if (map.has(exposed)) continue;
      map.set(exposed, { status: up ? 'up' : 'down', server, name: item.name });
      if (up) list.push(exposed === item.name ? item : { ...item, name: exposed });
    }
  }

  #addScheme(m: Merged, uri: string, server: string): void {
    const scheme = schemeOf(uri);
    if (scheme === undefined) return;
    let set = m.schemes.get(scheme);
    if (!set) m.schemes.set(scheme, (set = new Set()));
    set.add(server);
  }
}

function sameItems(a: readonly CatalogItem[], b: readonly CatalogItem[]): boolean {
  if (a.length !== b.length) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
