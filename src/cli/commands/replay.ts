import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import { SwitchboardError } from '../../errors.js';
import { parseRecording } from '../../middleware/tap/recording.js';
import { replayRecording, type ReplayReport, type ValueChange } from '../../middleware/tap/replay.js';
import { serveRecording, type ReplayServerFlags } from './replay-server.js';
import {
  addBackendTargetOptions,
  describeBackendTarget,
  openBackend,
  parseBackendTarget,
  splitOperands,
  type BackendTargetFlags,
} from '../backend-target.js';
import { collect } from '../repeatable.js';

/** Exit codes of `switchboard replay`. */
export const ReplayExitCode = { Identical: 0, Different: 1, Usage: 2 } as const;

interface ReplayFlags extends BackendTargetFlags, ReplayServerFlags {
  asServer?: boolean;
  against?: string;
  session?: string[];
  ignore?: string[];
  timeout?: string;
  json?: boolean;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

function describeChange(c: ValueChange): string {
  const where = c.path === '' ? '(whole answer)' : c.path;
  if (c.kind === 'added') return `${where}: added ${show(c.replayed)}`;
  if (c.kind === 'removed') return `${where}: removed (was ${show(c.recorded)})`;
  return `${where}: ${show(c.recorded)} → ${show(c.replayed)}`;
}

/** The human-readable report. */
export function renderReplayReport(report: ReplayReport): string {
  const lines: string[] = [];
  for (const d of report.differences) {
    const what = d.target === undefined ? d.method : `${d.method} ${d.target}`;
    lines.push(`✗ session ${d.session}, request ${JSON.stringify(d.id)} (${what})`);
    if (d.error !== undefined) lines.push(`    ${d.error}`);
    for (const c of d.changes.slice(0, 20)) lines.push(`    ${describeChange(c)}`);
    if (d.changes.length > 20) lines.push(`    … and ${d.changes.length - 20} more`);
  }
  const differing = report.differences.length;
  lines.push(
    differing === 0
      ? `no difference: ${report.identical} of ${report.compared} answers identical (${report.sessions} session${report.sessions === 1 ? '' : 's'})`
      : `${differing} of ${report.compared} answers differ (${report.sessions} session${report.sessions === 1 ? '' : 's'})`,
  );
  return `${lines.join('\n')}\n`;
}

/** Registers `switchboard replay`. */
export function registerReplayCommand(program: Command): void {
  const command = new Command('replay')
    .description(
      'replay the client side of a recording (serve --record) against a backend and diff the answers, or serve the recording as a mock MCP server (--as-server)',
    )
    .argument('<file>', 'the JSONL recording')
    .argument('[backend...]', 'backend URI, or -- <command> [args…]')
    .usage(
      '<file.jsonl> --against <backend-uri> | <file.jsonl> [options] -- <command> [args…] | <file.jsonl> --as-server [--listen <uri>…]',
    )
    .option('--against <uri>', 'the backend to replay against (tcp://, unix:///, ws://, http(s)://, …)');
  addBackendTargetOptions(command);
  command
    .option('--session <id>', 'replay only this session (repeatable; default all)', collect)
    .option('--ignore <path>', 'leave a path out of the comparison, e.g. result._meta (repeatable)', collect)
    .option('--timeout <duration>', 'wait this long for each answer (default 30s)')
    .option('--json', 'print the report as JSON')
    .option('--as-server', 'serve the recording as an MCP server: requests get the recorded answers')
    .option('--listen <uri>', 'with --as-server: where to serve (repeatable; default stdio:)', collect)
    .option('--match <mode>', 'with --as-server: exact (method, name, arguments; default), name or method')
    .option(
      '--speed <factor>',
      'with --as-server: 1 = recorded timing (default), 2 = twice as fast, 0 = no delay',
    )
    .action(async (file: string, operands: string[], flags: ReplayFlags, cmd: Command) => {
      if (flags.asServer) {
        await asServer(file, operands, flags);
        return;
      }
      let report: ReplayReport;
      try {
        const rawArgs = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv;
        const split = splitOperands(operands, rawArgs, 'replay');
        if (flags.against !== undefined && split.positional.length > 0) {
          throw new SwitchboardError('INVALID_OPTIONS', 'give --against or a backend URI operand, not both');
        }
        const positional = flags.against !== undefined ? [flags.against] : split.positional;
        const target = parseBackendTarget({ positional, command: split.command, flags });
        const timeoutMs = flags.timeout === undefined ? undefined : parseTimeout(flags.timeout);
        const frames = readRecording(file);
        if (!flags.json) console.error(`replaying ${file} against ${describeBackendTarget(target)}`);
        report = await replayRecording(frames, () => openBackend(target, { stderr: 'ignore' }), {
          timeoutMs,
          ignore: flags.ignore,
          sessions: flags.session,
        });
      } catch (error) {
        console.error(`switchboard replay: ${(error as Error).message}`);
        process.exitCode =
          error instanceof SwitchboardError && error.code === 'INVALID_OPTIONS'
            ? ReplayExitCode.Usage
            : ReplayExitCode.Different;
        return;
      }
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReplayReport(report));
      process.exitCode =
        report.differences.length === 0 ? ReplayExitCode.Identical : ReplayExitCode.Different;
    });
  program.addCommand(command);
}

function parseTimeout(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new SwitchboardError('INVALID_OPTIONS', `--timeout: ${(error as Error).message}`);
  }
}

function readRecording(file: string): ReturnType<typeof parseRecording> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SwitchboardError('INVALID_OPTIONS', `${file}: ${(error as Error).message}`);
  }
  return parseRecording(text);
}

async function asServer(file: string, operands: string[], flags: ReplayFlags): Promise<void> {
  try {
    if (operands.length > 0 || flags.against !== undefined)
      throw new SwitchboardError('INVALID_OPTIONS', '--as-server takes no backend: it is the server');
    await serveRecording(readRecording(file), flags);
  } catch (error) {
    console.error(`switchboard replay: ${(error as Error).message}`);
    process.exitCode =
      error instanceof SwitchboardError && error.code === 'INVALID_OPTIONS' ? ReplayExitCode.Usage : 1;
    return;
  }
  process.exitCode = 0;
}
