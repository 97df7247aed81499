import { z } from 'zod';

// The inspect report is defined once, here. The published JSON Schema
// (schemas/inspect-report.schema.json) is generated from it by `inspectReportJsonSchema()`, and a test
// keeps the two equal.

const JsonObject = z.record(z.string(), z.unknown());

const Icons = z.array(z.looseObject({ src: z.string() })).optional();

/** A tool as the server listed it (unknown members kept). */
export const ToolEntrySchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: JsonObject,
  outputSchema: JsonObject.optional(),
  annotations: z
    .looseObject({
      title: z.string().optional(),
      readOnlyHint: z.boolean().optional(),
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .optional(),
  icons: Icons,
});

/** A resource as the server listed it. */
export const ResourceEntrySchema = z.looseObject({
  uri: z.string(),
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
  size: z.number().optional(),
  icons: Icons,
});

/** A resource template as the server listed it. */
export const ResourceTemplateEntrySchema = z.looseObject({
  uriTemplate: z.string(),
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
  icons: Icons,
});

/** A prompt as the server listed it. */
export const PromptEntrySchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  arguments: z
    .array(
      z.looseObject({
        name: z.string(),
        title: z.string().optional(),
        description: z.string().optional(),
        required: z.boolean().optional(),
      }),
    )
    .optional(),
  icons: Icons,
});

const Count = z.int().min(0);
const Millis = z.number().min(0);

/** The lists an inspection walks, in report order. */
export const ListKinds = ['tools', 'resources', 'resourceTemplates', 'prompts'] as const;

/** One of {@link ListKinds}. */
export type ListKind = (typeof ListKinds)[number];

/** The report of `switchboard inspect` (`--format json|yaml`). */
export const InspectReportSchema = z
  .object({
    reportVersion: z.literal(1).describe('Version of this report format.'),
    inspectedAt: z.iso.datetime().describe('When the inspection started (UTC).'),
    target: z
      .object({
        kind: z.string().describe('stdio, tcp, tls, unix, websocket, http, sse, memory, …'),
        description: z.string().describe('The command or URI, without secrets.'),
      })
      .describe('The backend that was inspected.'),
    serverInfo: z
      .looseObject({ name: z.string(), version: z.string(), title: z.string().optional() })
      .nullable()
      .describe("The server's self-reported identity (null when a 2026-era server does not give one)."),
    protocol: z.object({
      version: z.string().nullable().describe('The negotiated protocol revision.'),
      era: z
        .enum(['session', 'stateless'])
        .describe('session: 2025-era initialize handshake; stateless: 2026-07-28 server/discover.'),
    }),
    capabilities: JsonObject.describe('The server capabilities.'),
    instructions: z.string().nullable(),
    tools: z.array(ToolEntrySchema),
    resources: z.array(ResourceEntrySchema),
    resourceTemplates: z.array(ResourceTemplateEntrySchema),
    prompts: z.array(PromptEntrySchema),
    pages: z
      .object({ tools: Count, resources: Count, resourceTemplates: Count, prompts: Count })
      .describe('Pages fetched per list (0 when the server does not offer the capability).'),
    timing: z
      .object({
        connectMs: Millis.describe('Connection and handshake (or discovery).'),
        listMs: z.object({ tools: Millis, resources: Millis, resourceTemplates: Millis, prompts: Millis }),
        totalMs: Millis,
      })
      .describe('Wall-clock durations in milliseconds.'),
    warnings: z.array(z.string()).describe('Lists skipped or failed without failing the inspection.'),
  })
  .describe('mcp-switchboard inspect report');

/** The report of one inspection. */
export type InspectReport = z.infer<typeof InspectReportSchema>;

/** A listed tool. */
export type ToolEntry = z.infer<typeof ToolEntrySchema>;
/** A listed resource. */
export type ResourceEntry = z.infer<typeof ResourceEntrySchema>;
/** A listed resource template. */
export type ResourceTemplateEntry = z.infer<typeof ResourceTemplateEntrySchema>;
/** A listed prompt. */
export type PromptEntry = z.infer<typeof PromptEntrySchema>;

/** Where the published JSON Schema of the report lives (its `$id`). */
export const INSPECT_REPORT_SCHEMA_ID =
  'https://unpkg.com/mcp-switchboard/schemas/inspect-report.schema.json';

/**
 * The JSON Schema (draft 2020-12) of {@link InspectReport}, as published in
 * `schemas/inspect-report.schema.json`.
 */
export function inspectReportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(InspectReportSchema, { target: 'draft-2020-12', io: 'output' });
  return { $id: INSPECT_REPORT_SCHEMA_ID, ...generated, title: 'mcp-switchboard inspect report' };
}
