import { SwitchboardError } from '../errors.js';
import type { Catalog } from './catalog.js';
import type { CatalogView } from './catalog-view.js';

/** A request's target server, and the name the server knows it by. */
export interface Resolved {
  server: string;
  name: string;
}

/** The error of a server that is down: names it and why. */
export function unavailable(catalog: Catalog, server: string): SwitchboardError {
  const reason = catalog.reason(server);
  return new SwitchboardError(
    'BACKEND_UNAVAILABLE',
    `Server "${server}" is unavailable${reason ? `: ${reason}` : ''}; its tools, prompts and resources are withdrawn until it is back`,
    { details: { server } },
  );
}

/**
 * Where a tool or prompt call goes. A name nobody serves — or that a filter or the view hides — gets
 * the same error an MCP server gives for an unknown tool (`-32602`, "Tool x not found").
 *
 * @param kind - `tools` or `prompts`
 * @param exposed - the name the client used
 * @throws SwitchboardError `UNKNOWN_NAME`, or `BACKEND_UNAVAILABLE` naming a server that is down
 */
export function resolveName(view: CatalogView, kind: 'tools' | 'prompts', exposed: unknown): Resolved {
  const what = kind === 'tools' ? 'Tool' : 'Prompt';
  if (typeof exposed !== 'string') {
    throw new SwitchboardError('UNKNOWN_NAME', `${what} name missing`);
  }
  const catalog = view.catalog;
  const target = view.shows(exposed)
    ? kind === 'tools'
      ? catalog.resolveTool(exposed)
      : catalog.resolvePrompt(exposed)
    : undefined;
  if (target === undefined) throw new SwitchboardError('UNKNOWN_NAME', `${what} ${exposed} not found`);
  if (target.status === 'down') throw unavailable(catalog, target.server);
  return target;
}

/**
 * The server that serves a resource URI (reads, subscriptions): the session's own discoveries first
 * (URIs its tool results linked to), then the catalog's owner (listed, template, scheme).
 *
 * @param learned - URIs this session saw in a server's results, with that server
 * @throws SwitchboardError `UNKNOWN_NAME` ("Resource x not found"), or `BACKEND_UNAVAILABLE`
 */
export function resolveUri(view: CatalogView, uri: unknown, learned?: ReadonlyMap<string, string>): string {
  if (typeof uri !== 'string') throw new SwitchboardError('UNKNOWN_NAME', 'Resource URI missing');
  const catalog = view.catalog;
  if (!view.shows(uri)) throw new SwitchboardError('UNKNOWN_NAME', `Resource ${uri} not found`);
  const known = learned?.get(uri);
  const owner =
    known !== undefined ? { server: known, up: catalog.status(known) === 'up' } : catalog.ownerOfUri(uri);
  if (owner === undefined || !catalog.resourceAllowed(owner.server, uri)) {
    throw new SwitchboardError('UNKNOWN_NAME', `Resource ${uri} not found`);
  }
  if (!owner.up) throw unavailable(catalog, owner.server);
  return owner.server;
}

/**
 * The server a `completion/complete` for a resource template goes to.
 *
 * @throws SwitchboardError `UNKNOWN_NAME` ("Resource template x not found"), or `BACKEND_UNAVAILABLE`
 */
export function resolveTemplate(view: CatalogView, uriTemplate: unknown): string {
  const catalog = view.catalog;
  const owner =
    typeof uriTemplate === 'string' && view.shows(uriTemplate)
      ? catalog.ownerOfTemplate(uriTemplate)
      : undefined;
  if (owner === undefined || !catalog.resourceAllowed(owner.server, uriTemplate as string)) {
    throw new SwitchboardError('UNKNOWN_NAME', `Resource template ${String(uriTemplate)} not found`);
  }
  if (!owner.up) throw unavailable(catalog, owner.server);
  return owner.server;
}
