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
import { LIST_METHODS, walkList, type Walked } from './list-surface.js';

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
      results[kind] = await walkList(client, kind, { timeout, maxPages, warnings });
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
