import type { Command } from 'commander';
import { SwitchboardError } from '../../errors.js';

/** The flags {@link addAdapterOptions} declares, as commander hands them over. */
export interface AdapterFlags {
  /** `serve --rest [path]`: mount the REST adapter (at `/rest` when no path is given). */
  rest?: string | boolean;
  /** `serve --graphql [path]`: mount the GraphQL adapter (at `/graphql` when no path is given). */
  graphql?: string | boolean;
  docs?: boolean;
  binaryContent?: string;
  toolErrorStatus?: string;
  graphiql?: boolean;
  maxDepth?: string;
  maxComplexity?: string;
}

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(`--${name} "${value}": expected a whole number`);
  return Number(value);
}

/**
 * Declares the adapter flags: `--rest [path]` and `--graphql [path]` (only for `serve`, which mounts
 * them next to `/mcp`), and the tuning flags of each adapter.
 *
 * @param command - the command
 * @param mountFlags - declare `--rest`/`--graphql` (default true)
 */
export function addAdapterOptions(command: Command, mountFlags = true): Command {
  if (mountFlags) {
    command
      .option(
        '--rest [path]',
        'mount the REST adapter (OpenAPI, Swagger UI) on HTTP frontends (default path /rest)',
      )
      .option(
        '--graphql [path]',
        'mount the GraphQL adapter (GraphiQL) on HTTP frontends (default path /graphql)',
      );
  }
  return command
    .option('--no-docs', 'REST adapter: no Swagger UI at <path>/docs')
    .option('--binary-content <mode>', 'REST adapter: images and audio as data-uri (default) or object')
    .option('--tool-error-status <code>', 'REST adapter: HTTP status of isError tool results (default 422)')
    .option('--no-graphiql', 'GraphQL adapter: no GraphiQL page')
    .option('--max-depth <n>', 'GraphQL adapter: deepest field nesting of an operation (default 12)')
    .option('--max-complexity <n>', 'GraphQL adapter: most fields an operation may select (default 1000)');
}

function sub(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const current = parent[key];
  const copy =
    typeof current === 'object' && current !== null ? { ...(current as Record<string, unknown>) } : {};
  parent[key] = copy;
  return copy;
}

/**
 * Puts the adapter flags into the raw configuration (flags win over the file).
 *
 * @throws SwitchboardError `INVALID_OPTIONS` for a tuning flag of an adapter that is not on
 */
export function applyAdapterFlags(merged: Record<string, unknown>, flags: AdapterFlags): void {
  const adapters = sub(merged, 'adapters');
  if (flags.rest !== undefined && flags.rest !== false) {
    const rest = sub(adapters, 'rest');
    if (typeof flags.rest === 'string') rest.path = flags.rest;
  }
  if (flags.graphql !== undefined && flags.graphql !== false) {
    const graphql = sub(adapters, 'graphql');
    if (typeof flags.graphql === 'string') graphql.path = flags.graphql;
  }
  const restTuning: [string, unknown][] = [
    ['docs', flags.docs === false ? false : undefined],
    ['binaryContent', flags.binaryContent],
    ['toolErrorStatus', int('tool-error-status', flags.toolErrorStatus)],
  ];
  const graphqlTuning: [string, unknown][] = [
    ['graphiql', flags.graphiql === false ? false : undefined],
    ['maxDepth', int('max-depth', flags.maxDepth)],
    ['maxComplexity', int('max-complexity', flags.maxComplexity)],
  ];
  for (const [kind, tuning] of [
    ['rest', restTuning],
    ['graphql', graphqlTuning],
  ] as const) {
    const given = tuning.filter(([, v]) => v !== undefined);
    if (given.length === 0) continue;
    if (adapters[kind] === undefined) {
      throw usage(`${given.map(([k]) => k).join(', ')}: the ${kind} adapter is not on (use --${kind})`);
    }
    const target = sub(adapters, kind);
    for (const [key, value] of given) target[key] = value;
  }
}
