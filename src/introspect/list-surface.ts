import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { JsonRpcCode } from '../protocol/json-rpc-codes.js';
import type { ListKind } from './report.js';

// Paginated listing of tools, resources, templates and prompts over a connected client: shared by
// `inspect` (one report) and the REST/GraphQL adapters (a live catalog).

interface Page {
  items: unknown[];
  nextCursor?: string | undefined;
}

/** One walked list. */
export interface Walked {
  items: unknown[];
  pages: number;
  ms: number;
}

/** The JSON-RPC method of each list. */
export const LIST_METHODS: Readonly<Record<ListKind, string>> = {
  tools: 'tools/list',
  resources: 'resources/list',
  resourceTemplates: 'resources/templates/list',
  prompts: 'prompts/list',
};

function fetchPage(
  client: Client,
  kind: ListKind,
  cursor: string | undefined,
  timeout: number,
): Promise<Page> {
  const params = cursor === undefined ? {} : { cursor };
  const options = { timeout };
  switch (kind) {
    case 'tools':
      return client
        .request({ method: 'tools/list', params }, options)
        .then((r) => ({ items: r.tools, nextCursor: r.nextCursor }));
    case 'resources':
      return client
        .request({ method: 'resources/list', params }, options)
        .then((r) => ({ items: r.resources, nextCursor: r.nextCursor }));
    case 'resourceTemplates':
      return client
        .request({ method: 'resources/templates/list', params }, options)
        .then((r) => ({ items: r.resourceTemplates, nextCursor: r.nextCursor }));
    case 'prompts':
      return client
        .request({ method: 'prompts/list', params }, options)
        .then((r) => ({ items: r.prompts, nextCursor: r.nextCursor }));
  }
}

/**
 * Walks every page of one list, bounded by `maxPages` and stopped by a repeated cursor; a server that
 * advertises a capability but answers "method not found" for its list gets a warning and an empty list.
 *
 * @param client - a connected SDK v2 client
 * @param kind - which list
 * @param options - per-request timeout, page cap, where warnings go
 */
export async function walkList(
  client: Client,
  kind: ListKind,
  options: { timeout: number; maxPages: number; warnings: string[] },
): Promise<Walked> {
  const started = performance.now();
  const items: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  do {
    let page: Page;
    try {
      page = await fetchPage(client, kind, cursor, options.timeout);
    } catch (error) {
      // A server that advertises a capability but does not implement its list: note it, go on.
      if (error instanceof ProtocolError && error.code === JsonRpcCode.MethodNotFound) {
        options.warnings.push(
          `${LIST_METHODS[kind]}: method not found although the capability is advertised`,
        );
        break;
      }
      throw error;
    }
    pages++;
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor !== undefined && seen.has(cursor)) {
      options.warnings.push(
        `${LIST_METHODS[kind]}: cursor "${cursor}" repeated; stopped after ${pages} pages`,
      );
      break;
    }
    if (cursor !== undefined) seen.add(cursor);
    if (cursor !== undefined && pages >= options.maxPages) {
      options.warnings.push(`${LIST_METHODS[kind]}: stopped after ${pages} pages (--max-pages)`);
      break;
    }
  } while (cursor !== undefined);
  return { items, pages, ms: performance.now() - started };
}
