import { InvalidArgumentError, type Command } from 'commander';
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { SwitchboardError } from '../../errors.js';
import { inspectServer } from '../../introspect/inspect.js';
import { addBackendTargetOptions, openBackend, type BackendTarget } from '../backend-target.js';
import { packageVersion } from '../version.js';
import { backendOptions, checkCommonOptions } from './inspect.js';
import {
  InspectExitCode,
  positiveInt,
  processIo,
  reportFailure,
  startProgress,
  targetOf,
  targetSummary,
  usageErrorsExitOne,
  type CliIo,
  type TargetCommandFlags,
} from './inspect-common.js';

/** Exit code of `generate client --check` when the server's catalog changed. */
export const CATALOG_CHANGED_EXIT = 6;

/** The client capabilities `--client-capabilities` accepts. */
const CAPABILITIES: Record<string, ClientCapabilities> = {
  sampling: { sampling: {} },
  elicitation: { elicitation: { form: {} } },
  roots: { roots: { listChanged: false } },
};

/** The parsed flags of `switchboard generate client`. */
export interface GenerateClientFlags extends TargetCommandFlags {
  out?: string | undefined;
  check?: string | undefined;
  name?: string | undefined;
  groupSeparator?: string | undefined;
  groups?: string | undefined;
  clientCapabilities?: string | undefined;
  switchboardVersion?: string | undefined;
  maxPages?: number | undefined;
}

function capabilitiesOf(list: string | undefined): ClientCapabilities {
  const capabilities: ClientCapabilities = {};
  for (const name of (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const capability = CAPABILITIES[name];
    if (capability === undefined) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `--client-capabilities "${name}": expected sampling, elicitation and/or roots`,
      );
    }
    Object.assign(capabilities, capability);
  }
  return capabilities;
}

/**
 * Runs `switchboard generate client`: inspects the server, then writes the package to `--out DIR`, or
 * with `--check DIR` compares the server's catalog with the one DIR was generated from.
 *
 * @param target - the backend
 * @param flags - the parsed flags
 * @param io - streams and environment
 * @returns the exit code: the `inspect` codes, plus 6 when `--check` finds the catalog changed
 */
export async function runGenerateClient(
  target: BackendTarget,
  flags: GenerateClientFlags,
  io: CliIo = processIo(),
): Promise<number> {
  const progress = startProgress(io, flags.color, 'connecting…');
  try {
    checkCommonOptions(flags, []);
    if ((flags.out === undefined) === (flags.check === undefined)) {
      throw new SwitchboardError('INVALID_OPTIONS', 'give --out DIR (generate) or --check DIR (compare)');
    }
    if (flags.groups !== undefined && flags.groupSeparator === undefined) {
      throw new SwitchboardError('INVALID_OPTIONS', '--groups goes with --group-separator');
    }
    // The generator is loaded when used: other commands do not pay for it at start-up.
    const codegen = await import('../../codegen/index.js');
    // Fail before connecting: a bad name, or a directory that holds no generated client.
    if (flags.name !== undefined) codegen.assertPackageName(flags.name);
    const recorded = flags.check === undefined ? undefined : await codegen.readCatalogFile(flags.check);
    const report = await inspectServer(openBackend(target, backendOptions(flags)), {
      timeoutMs: flags.timeout,
      clientInfo: { name: 'mcp-switchboard-generate', version: packageVersion() },
      capabilities: capabilitiesOf(flags.clientCapabilities),
      target: targetSummary(target),
      maxPages: flags.maxPages,
      onStep: (step) => progress.update(`${step}…`),
    });
    progress.stop();
    for (const warning of report.warnings) io.stderr.write(`switchboard generate client: ${warning}\n`);
    if (flags.check !== undefined && recorded !== undefined) {
      const check = codegen.compareCatalog(recorded, report);
      if (check.upToDate) {
        io.stderr.write(`${flags.check}: up to date (${check.currentHash})\n`);
        return InspectExitCode.Ok;
      }
      const lines = [
        `${flags.check}: the server's catalog changed (${check.generatedHash} → ${check.currentHash})`,
        ...check.diff.added.map((s) => `  added    ${s}`),
        ...check.diff.removed.map((s) => `  removed  ${s}`),
        ...check.diff.changed.map((s) => `  changed  ${s}`),
        'regenerate with --out to update it',
      ];
      io.stderr.write(`${lines.join('\n')}\n`);
      return CATALOG_CHANGED_EXIT;
    }
    const groups = flags.groups
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const generated = await codegen.generateClient(report, {
      packageName: flags.name,
      grouping: { separator: flags.groupSeparator, groups },
      switchboardSpec: flags.switchboardVersion,
    });
    const out = flags.out ?? '.';
    await codegen.writeGeneratedFiles(out, generated.files);
    const c = generated.catalog;
    io.stderr.write(
      `${out}: ${c.tools.length} tools, ${c.prompts.length} prompts, ${c.resources.length} resources, ` +
        `${c.resourceTemplates.length} resource templates (${generated.hash})\n`,
    );
    return InspectExitCode.Ok;
  } catch (error) {
    progress.stop();
    return reportFailure(error, 'generate client', io);
  }
}

const nonEmpty = (value: string): string => {
  if (value === '') throw new InvalidArgumentError('expected a non-empty value.');
  return value;
};

/**
 * Registers `switchboard generate client` under `generate`.
 *
 * @param generate - the `generate` command
 */
export function registerGenerateClientCommand(generate: Command): void {
  const command = generate
    .command('client')
    .description('inspect a server, then write a typed TypeScript client package (or --check one)')
    .argument('[target...]', 'backend URI, or after -- a command (as for inspect)');
  usageErrorsExitOne(
    addBackendTargetOptions(command)
      .option('--out <dir>', 'write the package here')
      .option('--check <dir>', 'exit 6 when the catalog of the package in <dir> differs from the server')
      .option('--name <pkg-name>', 'npm name of the package (default: <server name>-client)')
      .option('--group-separator <sep>', 'group namespaced names at <sep> (e.g. __): client.<group>.<tool>')
      .option('--groups <list>', 'with --group-separator: only these comma-separated prefixes are groups')
      .option(
        '--client-capabilities <list>',
        'inspect as a client with these capabilities (sampling,elicitation,roots): some servers list more tools then',
      )
      .option(
        '--switchboard-version <spec>',
        'version spec of the mcp-switchboard dependency (default ^<this>)',
        nonEmpty,
      )
      .option('--max-pages <n>', 'at most this many pages per list', positiveInt, 100)
      .option('--timeout <ms>', 'per-request timeout in ms, handshake included', positiveInt, 30_000)
      .option('--stderr <mode>', 'stdio backend stderr: pipe (shown on failure) | inherit | ignore', 'pipe')
      .option('--no-color', 'no colours (also NO_COLOR=1)'),
  );
  command.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 usage, 3 authorization required, 4 unreachable, 5 server error, 6 catalog changed (--check).',
  );
  command.action(async (operands: string[], flags: GenerateClientFlags, cmd: Command) => {
    const io = processIo();
    let target: BackendTarget;
    try {
      target = targetOf(operands, flags, cmd);
    } catch (error) {
      process.exitCode = reportFailure(error, 'generate client', io);
      return;
    }
    process.exitCode = await runGenerateClient(target, flags, io);
  });
}
