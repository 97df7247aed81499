import type { Command } from 'commander';
import { callServerTool } from '../../introspect/call-tool.js';
import { inspectServer } from '../../introspect/inspect.js';
import { renderCallHuman } from '../../introspect/render/render-call.js';
import { renderData } from '../../introspect/render/data-format.js';
import { renderHuman } from '../../introspect/render/render-human.js';
import { buildToolArguments } from '../../introspect/tool-args.js';
import { SwitchboardError } from '../../errors.js';
import type { SsrfGuard } from '../../security/ssrf/guard.js';
import type { StderrMode } from '../../transports/stdio-client.js';
import { openBackend, type BackendTarget } from '../backend-target.js';
import { packageVersion } from '../version.js';
import {
  emit,
  InspectExitCode,
  openGuarded,
  positiveInt,
  processIo,
  reportFailure,
  setUpTargetCommand,
  startProgress,
  targetOf,
  targetSummary,
  useColor,
  type CliIo,
  type TargetCommandFlags,
} from './inspect-common.js';
import { collect } from '../repeatable.js';

/** Output formats of `inspect`. */
export const InspectFormats = ['human', 'json', 'yaml'] as const;

/** Options of {@link runInspect} (the parsed flags of `switchboard inspect`). */
export interface InspectCommandOptions extends TargetCommandFlags {
  format?: string | undefined;
  call?: string | undefined;
  args?: string | undefined;
  arg?: string[] | undefined;
  maxPages?: number | undefined;
}

const StderrModes: readonly StderrMode[] = ['pipe', 'inherit', 'ignore'];

/**
 * Validates the flags that do not concern the target.
 *
 * @param options - the parsed flags
 * @throws SwitchboardError `INVALID_OPTIONS`
 */
export function checkCommonOptions(
  options: TargetCommandFlags & { format?: string | undefined },
  formats: readonly string[],
): void {
  if (options.format !== undefined && !formats.includes(options.format)) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--format "${options.format}": expected one of ${formats.join(', ')}`,
    );
  }
  if (options.stderr !== undefined && !(StderrModes as readonly string[]).includes(options.stderr)) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--stderr "${options.stderr}": expected pipe, inherit or ignore`,
    );
  }
}

/**
 * The options `openBackend()` gets from the common flags.
 *
 * @param options - the parsed flags
 * @param guard - the SSRF guard the connection resolves through
 */
export function backendOptions(
  options: TargetCommandFlags,
  guard?: SsrfGuard,
): { stderr: StderrMode; guard?: SsrfGuard } {
  return { stderr: (options.stderr ?? 'pipe') as StderrMode, ...(guard ? { guard } : {}) };
}

/**
 * Runs `switchboard inspect` for an already parsed target: inspects (or calls one tool with
 * `--call`), renders, writes to stdout or `--output`.
 *
 * @param target - the backend
 * @param options - the parsed flags
 * @param io - streams and environment (default: the process's)
 * @returns the exit code (see {@link InspectExitCode})
 */
export async function runInspect(
  target: BackendTarget,
  options: InspectCommandOptions,
  io: CliIo = processIo(),
): Promise<number> {
  const format = options.format ?? 'human';
  const human = format === 'human';
  const color = human && options.output === undefined && useColor(io.stdout, io, options.color);
  const width = options.output === undefined && io.stdout.isTTY === true ? io.stdout.columns : undefined;
  const clientOptions = {
    timeoutMs: options.timeout,
    clientInfo: { name: 'mcp-switchboard-inspect', version: packageVersion() },
  };
  const progress = human
    ? startProgress(io, options.color, 'connecting…')
    : { update: () => undefined, stop: () => undefined };
  try {
    checkCommonOptions(options, InspectFormats);
    if (options.call === undefined && (options.args !== undefined || (options.arg ?? []).length > 0)) {
      throw new SwitchboardError('INVALID_OPTIONS', '--args/--arg go with --call <tool>');
    }
    if (options.call !== undefined) {
      const args = buildToolArguments(options.args, options.arg);
      const outcome = await callServerTool(
        await openGuarded(target, options, (guard) => openBackend(target, backendOptions(options, guard))),
        { name: options.call, arguments: args },
        clientOptions,
      );
      progress.stop();
      const text = human
        ? renderCallHuman(outcome, { color })
        : renderData(outcome.result, format as 'json' | 'yaml');
      await emit(text, options.output, io);
      return outcome.result.isError === true ? InspectExitCode.ServerError : InspectExitCode.Ok;
    }
    const transport = await openGuarded(target, options, (guard) =>
      openBackend(target, backendOptions(options, guard)),
    );
    const report = await inspectServer(transport, {
      ...clientOptions,
      target: targetSummary(target),
      maxPages: options.maxPages,
      onStep: (step) => progress.update(`${step}…`),
    });
    progress.stop();
    const text = human
      ? renderHuman(report, { color, width })
      : renderData(report, format as 'json' | 'yaml');
    await emit(text, options.output, io);
    return InspectExitCode.Ok;
  } catch (error) {
    progress.stop();
    return reportFailure(error, 'inspect', io);
  }
}

/**
 * Registers `switchboard inspect`.
 *
 * @param program - the root command
 */
export function registerInspectCommand(program: Command): void {
  const command = program
    .command('inspect')
    .description(
      'connect to one MCP server and list its tools, resources, templates and prompts (or call one tool)',
    )
    .argument(
      '[target...]',
      'backend URI (tcp://, unix://, ws://, http(s)://, sse+http(s)://, memory:) or, after --, a command',
    );
  setUpTargetCommand(command)
    .option('-f, --format <format>', 'human | json | yaml', 'human')
    .option('--call <tool>', 'call this tool and print its result instead of inspecting')
    .option('--args <json>', 'arguments of --call as a JSON object')
    .option(
      '--arg <key=value>',
      'one argument of --call (repeatable); numbers, booleans, null, JSON objects/arrays are parsed',
      collect,
    )
    .option('--max-pages <n>', 'at most this many pages per list', positiveInt, 100)
    .addHelpText(
      'after',
      `
Examples:
  switchboard inspect -- npx -y @modelcontextprotocol/server-everything
  switchboard inspect http://127.0.0.1:3000/mcp --format json -o report.json
  switchboard inspect --backend stdio --cmd "python server.py" --call add --arg a=1 --arg b=2

Exit codes: 0 ok, 1 usage, 3 authorization required, 4 unreachable, 5 server error
(also 5 when --call returns a result with isError: true).`,
    )
    .action(async (operands: string[], options: InspectCommandOptions, cmd: Command) => {
      const io = processIo();
      let target: BackendTarget;
      try {
        target = targetOf(operands, options, cmd);
      } catch (error) {
        process.exitCode = reportFailure(error, 'inspect', io);
        return;
      }
      process.exitCode = await runInspect(target, options, io);
    });
}
