import { Command, CommanderError, Help } from 'commander';
import { packageVersion } from './version.js';

/** Exit codes of the CLI (stable, documented in the README). */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

/** A subcommand, loaded only when it runs (or its own help is asked for). */
interface LazyCommand {
  /** As the root help lists it (`serve [options] [backend...]`). */
  term: string;
  description: string;
  load: () => Promise<(program: Command) => void>;
}

// Each command pulls in what it needs (the proxy, the SDK, pino, ajv, graphql…) only when it runs:
// `switchboard --version` and the root help load nothing but commander.
const COMMANDS: Readonly<Record<string, LazyCommand>> = {
  demo: {
    term: 'demo',
    description:
      'serve the built-in demo MCP server on stdio (tools echo, add, countdown, sample; a resource; a prompt)',
    load: async () => (await import('./commands/demo.js')).registerDemoCommand,
  },
  serve: {
    term: 'serve [options] [backend...]',
    description:
      'serve a backend MCP server to clients over any frontend(s); no backend: the built-in demo server',
    load: async () => (await import('./commands/serve.js')).registerServeCommand,
  },
  worker: {
    term: 'worker [options] [backend...]',
    description:
      'serve one backend from a Redis Streams queue: several workers on one stream form a pool; a dead worker’s work is adopted by the others',
    load: async () => (await import('./commands/worker.js')).registerWorkerCommand,
  },
  inspect: {
    term: 'inspect [options] [target...]',
    description:
      'connect to one MCP server and list its tools, resources, templates and prompts (or call one tool)',
    load: async () => (await import('./commands/inspect.js')).registerInspectCommand,
  },
  schema: {
    term: 'schema',
    description: 'inspect a server, then describe it as OpenAPI 3.1, GraphQL SDL or proto3',
    load: async () => (await import('./commands/schema.js')).registerSchemaCommand,
  },
  adapter: {
    term: 'adapter <rest|graphql> [options] [backend...]',
    description:
      'serve a backend MCP server (or the gateway) as a typed REST API with Swagger UI, or as GraphQL with GraphiQL',
    load: async () => (await import('./commands/adapter.js')).registerAdapterCommand,
  },
  replay: {
    term: 'replay [options] <file> [backend...]',
    description:
      'replay a recording (serve --record) against a backend and diff the answers, or serve it as a mock server',
    load: async () => (await import('./commands/replay.js')).registerReplayCommand,
  },
  generate: {
    term: 'generate <client|proxy> [options]',
    description: 'generate a typed client package from a server, or a standalone proxy project',
    load: async () => (await import('./commands/generate.js')).registerGenerateCommand,
  },
  build: {
    term: 'build --executable <out> [options]',
    description:
      'build a single executable that runs switchboard without Node (Node single executable applications)',
    load: async () => (await import('./commands/build.js')).registerBuildCommand,
  },
  top: {
    term: 'top [options]',
    description: 'live figures of a running switchboard in the terminal (sessions, backends, calls, latency)',
    load: async () => (await import('./commands/top.js')).registerTopCommand,
  },
};

/** The subcommand argv names (`switchboard [help] <command> …`), if any. */
function commandNamed(argv: readonly string[]): string | undefined {
  const operands = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/**
 * Builds the `switchboard` command tree: the command `argv` names is loaded in full; the others are
 * listed (root help) without loading their modules.
 *
 * @param argv - full argv (default `process.argv`)
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('switchboard')
    .description('Connect any MCP server to any MCP client over any transport.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run switchboard --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .configureHelp({
      subcommandTerm: (cmd) => COMMANDS[cmd.name()]?.term ?? new Help().subcommandTerm(cmd),
    })
    .exitOverride();
  const wanted = commandNamed(argv);
  for (const [name, command] of Object.entries(COMMANDS)) {
    if (name === wanted) (await command.load())(program);
    else program.command(name).description(command.description);
  }
  return program;
}

/**
 * Runs the CLI. The only place that decides the process's exit code.
 *
 * @param argv - full argv (default `process.argv`)
 */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    const program = await buildProgram(argv);
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
