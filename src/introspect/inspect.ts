import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { JsonRpcCode } from '../protocol/json-rpc-codes.js';
import type { Transport } from '../transport.js';
import {
  closeQuietly,
  connectInspector,
  DEFAULT_INSPECT_TIMEOUT_MS,
  inspectFailure,
  type InspectClientOptions,
} from './client.js';
import {
  InspectReportSchema,
  type InspectReport,
  type ListKind,
  PromptEntrySchema,
  ResourceEntrySchema,
  ResourceTemplateEntrySchema,
  ToolEntrySchema,
} from './report.js';

/** Default cap on the pages fetched per list. */
export const DEFAULT_MAX_PAGES = 100;

/** Options of {@link inspectServer}. */
export interface InspectOptions extends InspectClientOptions {
  /** The backend, as the report names it (e.g. from `describeBackendTarget`). */
  target: { kind: string; description: string };
  /** At most this many pages per list (default 100); a longer list is cut with a warning. */
  maxPages?: number | undefined;
  /** Told what the inspection is doing, e.g. to update a spinner. */
  onStep?: ((step: string) => void) | undefined;
}

interface Page {
  items: unknown[];
  nextCursor?: string | undefined;
}

interface Walked {
  items: unknown[];
  pages: number;
  ms: number;
}

const LIST_METHODS: Record<ListKind, string> = {
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

// Walks every page of one list, bounded by `maxPages` and stopped by a repeated cursor.
async function walk(
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

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * Inspects one MCP server over one connection: negotiates the protocol era, then walks every page of
 * `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list` (each only when the
 * server offers the capability), and records serverInfo, version, era, capabilities, instructions
 * and timings.
 *
 * @param transport - an unstarted client transport (e.g. from `openBackend()`); closed at the end
 * @param options - target description, timeout (default 30 s), page cap (default 100)
 * @returns the report (valid against `schemas/inspect-report.schema.json`)
 * @throws SwitchboardError `INSPECT_FAILED`, `details.failure` ∈ `unreachable | auth | server`
 * @example
 * ```ts
 * const report = await inspectServer(connect('tcp://127.0.0.1:7000'), {
 *   target: { kind: 'tcp', description: 'tcp://127.0.0.1:7000' },
 * });
 * console.log(report.tools.map((t) => t.name));
 * ```
 */
export async function inspectServer(transport: Transport, options: InspectOptions): Promise<InspectReport> {
  const inspectedAt = new Date().toISOString();
  const started = performance.now();
  const timeout = options.timeoutMs ?? DEFAULT_INSPECT_TIMEOUT_MS;
  const maxPages = Math.max(1, options.maxPages ?? DEFAULT_MAX_PAGES);
  options.onStep?.('connecting');
  const connection = await connectInspector(transport, options);
  const { client } = connection;
  try {
    const capabilities = (client.getServerCapabilities() ?? {}) as Record<string, unknown>;
    const warnings: string[] = [];
    const offered: Record<ListKind, boolean> = {
      tools: capabilities.tools !== undefined,
      resources: capabilities.resources !== undefined,
      resourceTemplates: capabilities.resources !== undefined,
      prompts: capabilities.prompts !== undefined,
    };
    const results: Partial<Record<ListKind, Walked>> = {};
    for (const kind of ['tools', 'resources', 'resourceTemplates', 'prompts'] as const) {
      if (!offered[kind]) continue;
      options.onStep?.(`listing ${LIST_METHODS[kind].replace('/list', '')}`);
      results[kind] = await walk(client, kind, { timeout, maxPages, warnings });
    }
    const serverInfo = client.getServerVersion();
    const report: InspectReport = {
      reportVersion: 1,
      inspectedAt,
      target: options.target,
      serverInfo: serverInfo ? { ...serverInfo } : null,
      protocol: { version: connection.protocolVersion, era: connection.era },
      capabilities,
      instructions: client.getInstructions() ?? null,
      tools: (results.tools?.items ?? []).map((t) => ToolEntrySchema.parse(t)),
      resources: (results.resources?.items ?? []).map((r) => ResourceEntrySchema.parse(r)),
      resourceTemplates: (results.resourceTemplates?.items ?? []).map((r) =>
        ResourceTemplateEntrySchema.parse(r),
      ),
      prompts: (results.prompts?.items ?? []).map((p) => PromptEntrySchema.parse(p)),
      pages: {
        tools: results.tools?.pages ?? 0,
        resources: results.resources?.pages ?? 0,
        resourceTemplates: results.resourceTemplates?.pages ?? 0,
        prompts: results.prompts?.pages ?? 0,
      },
      timing: {
        connectMs: round(connection.connectMs),
        listMs: {
          tools: round(results.tools?.ms ?? 0),
          resources: round(results.resources?.ms ?? 0),
          resourceTemplates: round(results.resourceTemplates?.ms ?? 0),
          prompts: round(results.prompts?.ms ?? 0),
        },
        totalMs: round(performance.now() - started),
      },
      warnings,
    };
    return InspectReportSchema.parse(report);
  } catch (error) {
    throw inspectFailure(error, 'request', connection.transportError());
  } finally {
    await closeQuietly(client);
  }
}
