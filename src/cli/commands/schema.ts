import type { Command } from 'commander';
import { SwitchboardError } from '../../errors.js';
import { inspectServer } from '../../introspect/inspect.js';
import { renderData } from '../../introspect/render/data-format.js';
import { generateGraphql } from '../../schema/graphql.js';
import { generateOpenApi } from '../../schema/openapi.js';
import { generateProtobuf } from '../../schema/protobuf.js';
import { openBackend, type BackendTarget } from '../backend-target.js';
import { packageVersion } from '../version.js';
import { backendOptions, checkCommonOptions } from './inspect.js';
import {
  emit,
  InspectExitCode,
  openGuarded,
  positiveInt,
  processIo,
  reportFailure,
  setUpTargetCommand,
  usageErrorsExitOne,
  startProgress,
  targetOf,
  targetSummary,
  type CliIo,
  type TargetCommandFlags,
} from './inspect-common.js';

/** The schema languages `switchboard schema` generates. */
export const SchemaKinds = ['openapi', 'graphql', 'protobuf'] as const;

/** One of {@link SchemaKinds}. */
export type SchemaKind = (typeof SchemaKinds)[number];

/** Options of {@link runSchema} (the parsed flags of `switchboard schema <kind>`). */
export interface SchemaCommandOptions extends TargetCommandFlags {
  /** `openapi` only: `json` (default) or `yaml`. */
  format?: string | undefined;
  /** `openapi` only: add request examples. */
  withExamples?: boolean | undefined;
  /** `openapi` only: `servers[0].url`. */
  baseUrl?: string | undefined;
  maxPages?: number | undefined;
}

/**
 * Runs `switchboard schema <kind>`: inspects the target, generates the schema, writes it to stdout or
 * `--output`.
 *
 * @param kind - openapi, graphql or protobuf
 * @param target - the backend
 * @param options - the parsed flags
 * @param io - streams and environment (default: the process's)
 * @returns the exit code (the `inspect` codes)
 */
export async function runSchema(
  kind: SchemaKind,
  target: BackendTarget,
  options: SchemaCommandOptions,
  io: CliIo = processIo(),
): Promise<number> {
  const progress = startProgress(io, options.color, 'connecting…');
  try {
    checkCommonOptions(options, kind === 'openapi' ? ['json', 'yaml'] : []);
    if (options.baseUrl !== undefined && !URL.canParse(options.baseUrl)) {
      throw new SwitchboardError('INVALID_OPTIONS', `--base-url "${options.baseUrl}" is not a URL`);
    }
    const transport = await openGuarded(target, options, (guard) =>
      openBackend(target, backendOptions(options, guard)),
    );
    const report = await inspectServer(transport, {
      timeoutMs: options.timeout,
      clientInfo: { name: 'mcp-switchboard-schema', version: packageVersion() },
      target: targetSummary(target),
      maxPages: options.maxPages,
      onStep: (step) => progress.update(`${step}…`),
    });
    progress.stop();
    let text: string;
    switch (kind) {
      case 'openapi':
        text = renderData(
          generateOpenApi(report, { withExamples: options.withExamples, baseUrl: options.baseUrl }),
          options.format === 'yaml' ? 'yaml' : 'json',
        );
        break;
      case 'graphql':
        text = generateGraphql(report);
        break;
      case 'protobuf':
        text = generateProtobuf(report);
        break;
    }
    await emit(text, options.output, io);
    return InspectExitCode.Ok;
  } catch (error) {
    progress.stop();
    return reportFailure(error, `schema ${kind}`, io);
  }
}

const DESCRIPTIONS: Record<SchemaKind, string> = {
  openapi: 'OpenAPI 3.1: POST /tools/{name}, GET /resources/{uri}, POST /prompts/{name}',
  graphql: 'GraphQL SDL: read-only tools and resources/prompts under Query, other tools under Mutation',
  protobuf: 'proto3: one rpc per tool (plus ReadResource and one per prompt)',
};

/**
 * Registers `switchboard schema openapi|graphql|protobuf`.
 *
 * @param program - the root command
 */
export function registerSchemaCommand(program: Command): void {
  const schema = usageErrorsExitOne(
    program
      .command('schema')
      .description('inspect a server, then describe it as OpenAPI 3.1, GraphQL SDL or proto3'),
  );
  for (const kind of SchemaKinds) {
    const command = schema
      .command(kind)
      .description(DESCRIPTIONS[kind])
      .argument('[target...]', 'backend URI, or after -- a command (as for inspect)');
    setUpTargetCommand(command).option(
      '--max-pages <n>',
      'at most this many pages per list',
      positiveInt,
      100,
    );
    if (kind === 'openapi') {
      command
        .option('-f, --format <format>', 'json | yaml', 'json')
        .option('--with-examples', 'add a request example to every operation')
        .option('--base-url <url>', 'servers[0].url of the document');
    }
    command.addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 usage, 3 authorization required, 4 unreachable, 5 server error.',
    );
    command.action(async (operands: string[], options: SchemaCommandOptions, cmd: Command) => {
      const io = processIo();
      let target: BackendTarget;
      try {
        target = targetOf(operands, options, cmd);
      } catch (error) {
        process.exitCode = reportFailure(error, `schema ${kind}`, io);
        return;
      }
      process.exitCode = await runSchema(kind, target, options, io);
    });
  }
}
