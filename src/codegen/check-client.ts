import { z } from 'zod';
import { SwitchboardError } from '../errors.js';
import type { ServerSurface } from '../schema/surface.js';
import { catalogHash, catalogOf, diffCatalogs, type Catalog, type CatalogDiff } from './catalog.js';
import { readGeneratedFile } from './write-files.js';

/** The outcome of {@link checkClient}. */
export interface ClientCheck {
  /** True when the server's catalog hash equals the one the client was generated from. */
  upToDate: boolean;
  /** The hash recorded in the directory. */
  generatedHash: string;
  /** The server's hash now. */
  currentHash: string;
  /** What changed (empty lists when up to date). */
  diff: CatalogDiff;
  /** The server's name and version then and now (a version change alone is not a change). */
  server: { generated: Catalog['server']; current: Catalog['server'] };
}

const CatalogFile = z.object({
  hash: z.string(),
  catalog: z.looseObject({
    catalogVersion: z.literal(1),
    server: z.looseObject({ name: z.string(), version: z.string() }).nullable(),
    tools: z.array(z.looseObject({ name: z.string() })),
    prompts: z.array(z.looseObject({ name: z.string() })),
    resources: z.array(z.looseObject({ uri: z.string(), name: z.string() })),
    resourceTemplates: z.array(z.looseObject({ uriTemplate: z.string(), name: z.string() })),
  }),
});

/**
 * Compares a server's catalog with the one a client in `dir` was generated from
 * (`dir/mcp-catalog.json`).
 *
 * @param dir - the generated package's directory
 * @param surface - the server's surface now (an inspect report)
 * @throws SwitchboardError `INVALID_OPTIONS` when `dir` holds no readable `mcp-catalog.json`
 * @example
 * ```ts
 * const check = await checkClient('generated/demo-client', await inspectServer(transport, { target }));
 * if (!check.upToDate) console.error(check.diff);
 * ```
 */
export async function checkClient(dir: string, surface: ServerSurface): Promise<ClientCheck> {
  return compareCatalog(await readCatalogFile(dir), surface);
}

/** What a generated directory records: its catalog and the catalog's hash. */
export interface RecordedCatalog {
  hash: string;
  catalog: Catalog;
}

/**
 * Reads `dir/mcp-catalog.json` of a generated client.
 *
 * @param dir - the generated package's directory
 * @throws SwitchboardError `INVALID_OPTIONS` when it is missing or not valid
 */
export async function readCatalogFile(dir: string): Promise<RecordedCatalog> {
  let text: string | undefined;
  try {
    text = await readGeneratedFile(dir, 'mcp-catalog.json');
  } catch (cause) {
    throw new SwitchboardError('INVALID_OPTIONS', `--check ${dir}: ${(cause as Error).message}`, { cause });
  }
  if (text === undefined) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--check ${dir}: no mcp-catalog.json (not a directory written by switchboard generate client)`,
    );
  }
  let parsed: z.infer<typeof CatalogFile>;
  try {
    parsed = CatalogFile.parse(JSON.parse(text));
  } catch (cause) {
    throw new SwitchboardError('INVALID_OPTIONS', `--check ${dir}: mcp-catalog.json is not valid`, { cause });
  }
  return { hash: parsed.hash, catalog: parsed.catalog as unknown as Catalog };
}

/**
 * Compares a recorded catalog with a server's surface now.
 *
 * @param recorded - from {@link readCatalogFile}
 * @param surface - the server's surface (an inspect report)
 */
export function compareCatalog(recorded: RecordedCatalog, surface: ServerSurface): ClientCheck {
  const generated = recorded.catalog;
  const current = catalogOf(surface);
  const currentHash = catalogHash(current);
  const upToDate = currentHash === recorded.hash;
  return {
    upToDate,
    generatedHash: recorded.hash,
    currentHash,
    diff: upToDate ? { added: [], removed: [], changed: [] } : diffCatalogs(generated, current),
    server: { generated: generated.server, current: current.server },
  };
}
