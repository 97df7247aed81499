import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerServeCommand } from './commands/serve.js';
import { registerWorkerCommand } from './commands/worker.js';
import { packageVersion } from './version.js';

/** Exit codes of the CLI (stable, documented in the README). */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

/** Builds the `switchboard` command tree. */
export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Connect any MCP server to any MCP client over any transport.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run switchboard --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
  registerDemoCommand(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerInspectCommand(program);
  registerSchemaCommand(program);
  registerReplayCommand(program);
  return program;
}

/**
 * Runs the CLI. The only place that decides the process's exit code.
 *
 * @param argv - full argv (default `process.argv`)
 */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help / --version end here with code 0; usage errors with 2.
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return;
    }
    console.error(`switchboard: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = ExitCode.Failure;
  }
}
