import { SwitchboardError } from '../errors.js';
import type { Catalog, CatalogItem, CatalogKind } from './catalog.js';
import { NameFilter } from './name-filter.js';

/** Default page size of merged lists (a server's own page size does not carry over). */
export const DEFAULT_PAGE_SIZE = 1000;

const CURSOR_PREFIX = 'sbgw1:';

const keyOf = (kind: CatalogKind): 'name' | 'uri' | 'uriTemplate' =>
  kind === 'resources' ? 'uri' : kind === 'resourceTemplates' ? 'uriTemplate' : 'name';

/** An opaque cursor for the page starting at `offset`. */
function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString('base64url');
}

function decodeCursor(cursor: unknown): number {
  if (cursor === undefined) return 0;
  const text = typeof cursor === 'string' ? Buffer.from(cursor, 'base64url').toString() : '';
  const offset = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new SwitchboardError('INVALID_PARAMS', 'Invalid cursor (not one this gateway issued)');
  }
  return offset;
}

/**
 * What one frontend shows of the catalog: everything, or — for a *virtual server* — only the tools and
 * prompts whose exposed names, and the resources/templates whose URIs, match its `expose` globs.
 * Derived lists are cached per catalog version. Lists are paged with an opaque cursor.
 *
 * @example
 * ```ts
 * const readOnly = new CatalogView(catalog, ['files__read_*']);
 * readOnly.page('tools', undefined).items; // only files__read_* tools
 * ```
 */
export class CatalogView {
  readonly #catalog: Catalog;
  readonly #expose: NameFilter | undefined;
  readonly #pageSize: number;
  readonly #cache = new Map<CatalogKind, { version: number; items: readonly CatalogItem[] }>();

  /**
   * @param catalog - the gateway's catalog
   * @param expose - globs of what this view shows (absent: everything)
   * @param pageSize - items per page (default {@link DEFAULT_PAGE_SIZE})
   */
  constructor(catalog: Catalog, expose?: readonly string[], pageSize = DEFAULT_PAGE_SIZE) {
    this.#catalog = catalog;
    this.#expose = expose === undefined ? undefined : new NameFilter({ allow: expose }, 'expose');
    this.#pageSize = Math.max(1, pageSize);
  }

  /** The catalog behind the view. */
  get catalog(): Catalog {
    return this.#catalog;
  }

  /** `true` when this view shows `name` (an exposed tool/prompt name, or a URI / URI template). */
  shows(name: string): boolean {
    return this.#expose === undefined || this.#expose.passes(name);
  }

  /** The whole list of a kind as this view shows it. */
  list(kind: CatalogKind): readonly CatalogItem[] {
    const all = this.#catalog.list(kind);
    const expose = this.#expose;
    if (expose === undefined) return all;
    const version = this.#catalog.version;
    const cached = this.#cache.get(kind);
    if (cached?.version === version) return cached.items;
    const key = keyOf(kind);
    const items = all.filter((item) => {
      const name = item[key];
      return typeof name === 'string' && expose.passes(name);
    });
    this.#cache.set(kind, { version, items });
    return items;
  }

  /**
   * The servers' instructions (after `preamble`); a virtual server's only of servers it shows anything of.
   */
  instructions(preamble?: string): string | undefined {
    if (this.#expose === undefined) return this.#catalog.instructions(preamble);
    const shown = new Set<string>();
    const c = this.#catalog;
    for (const t of this.list('tools')) shown.add(c.resolveTool(t.name as string)?.server ?? '');
    for (const p of this.list('prompts')) shown.add(c.resolvePrompt(p.name as string)?.server ?? '');
    for (const r of this.list('resources')) shown.add(c.ownerOfUri(r.uri as string)?.server ?? '');
    for (const t of this.list('resourceTemplates'))
      shown.add(c.ownerOfTemplate(t.uriTemplate as string)?.server ?? '');
    return c.instructions(preamble, (server) => shown.has(server));
  }

  /**
   * One page of a list.
   *
   * @param cursor - the `cursor` param of the list request (absent: the first page)
   * @throws SwitchboardError `INVALID_PARAMS` for a cursor this gateway did not issue
   */
  page(kind: CatalogKind, cursor: unknown): { items: readonly CatalogItem[]; nextCursor?: string } {
    const all = this.list(kind);
    const offset = decodeCursor(cursor);
    if (offset === 0 && all.length <= this.#pageSize) return { items: all };
    const end = offset + this.#pageSize;
    const items = all.slice(offset, end);
    return end < all.length ? { items, nextCursor: encodeCursor(end) } : { items };
  }
}
