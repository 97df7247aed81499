import { Command } from 'commander';
import type { ServeConfig } from '../../config/serve-config.js';
import { SwitchboardError } from '../../errors.js';
import { addBackendTargetOptions, splitOperands } from '../backend-target.js';
import { addAdapterOptions } from '../serve/adapter-flags.js';
import { addProcessOptions, addStdioChildOptions } from '../serve/process-flags.js';
import { addResilienceOptions } from '../serve/resilience-flags.js';
import { addSecurityOptions } from '../serve/security-flags.js';
import { resolveServeConfig, serveUntilStopped, type ServeFlags } from './serve.js';
import { collect } from '../repeatable.js';

/** Exit code of a usage error. */
const USAGE = 2;

const KINDS = {
  rest: { path: '/', what: 'a typed REST API (OpenAPI 3.1, Swagger UI at /docs)' },
  graphql: { path: '/graphql', what: 'GraphQL (POST /graphql, GraphiQL at GET /graphql)' },
} as const;

type Kind = keyof typeof KINDS;

interface AdapterCommandFlags extends ServeFlags {
  path?: string;
}

/**
 * The serve configuration of `switchboard adapter <kind>`: the backend and options as for `serve`,
 * one HTTP(S) frontend at `--bind` serving only the adapter (no MCP endpoint) at `--path`.
 *
 * @throws SwitchboardError `INVALID_OPTIONS`
 */
export function resolveAdapterConfig(
  kind: Kind,
  flags: AdapterCommandFlags,
  operands: { positional: string[]; command: string[] },
): ServeConfig {
  const bind = flags.bind ?? '127.0.0.1:4000';
  if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(bind)) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--bind "${bind}": expected host:port (e.g. 127.0.0.1:4000)`,
    );
  }
  const scheme = flags.tlsCert !== undefined ? 'https' : 'http';
  const { bind: _bind, path, ...rest } = flags;
  const config = resolveServeConfig(
    { ...rest, listen: [`${scheme}://${bind}/`], [kind]: path ?? KINDS[kind].path },
    operands,
  );
  return { ...config, http: { ...config.http, mcp: false } };
}

function register(parent: Command, kind: Kind): void {
  const command = new Command(kind)
    .description(`serve any MCP server as ${KINDS[kind].what}; no backend: the built-in demo server`)
    .argument('[backend...]', 'backend URI, or -- <command> [args…] (as for serve)')
    .usage('[backend-uri] [options] [-- <command> [args…]]');
  addBackendTargetOptions(command);
  command
    .option('--config <file>', 'YAML config file (the serve schema; flags win)')
    .option('--bind <host:port>', 'where to listen (default 127.0.0.1:4000)')
    .option('--path <path>', `where the adapter is served (default ${KINDS[kind].path})`)
    .option('--timeout <duration>', 'request deadline without progress, e.g. 60s (default 60s)')
    .option('--max-timeout <duration>', 'hard cap on a request, progress or not (default 10m)')
    .option('--max-message-bytes <n>', 'largest request body and message (default 33554432)')
    .option('--session-mode <mode>', 'per-session (default) | shared')
    .option('--allowed-origin <origin>', 'extra allowed Origin, repeatable', collect)
    .option('--tls-cert <file>', 'serve https:// with this certificate (PEM)')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--tls-min-version <v>', '1.2 (default) or 1.3')
    .option('--backend-tls-ca <file>', 'CA bundle to verify a tls/https/wss backend')
    .option('--backend-tls-cert <file>', 'client certificate for a backend that requires mTLS')
    .option('--backend-tls-key <file>', 'client key for a backend that requires mTLS');
  addStdioChildOptions(command);
  addProcessOptions(command);
  addResilienceOptions(command);
  addSecurityOptions(command);
  addAdapterOptions(command, false);
  command.action(async (operands: string[], flags: AdapterCommandFlags, cmd: Command) => {
    let config: ServeConfig;
    try {
      const root = cmd.parent?.parent as unknown as { rawArgs?: string[] } | null;
      config = resolveAdapterConfig(
        kind,
        flags,
        splitOperands(operands, root?.rawArgs ?? process.argv, kind),
      );
    } catch (error) {
      console.error(`switchboard adapter ${kind}: ${(error as Error).message}`);
      process.exitCode = USAGE;
      return;
    }
    await serveUntilStopped(config);
  });
  parent.addCommand(command);
}

/** Registers `switchboard adapter rest|graphql`. */
export function registerAdapterCommand(program: Command): void {
  const adapter = new Command('adapter').description(
    'serve any MCP server (any backend, as for serve) as a REST API or as GraphQL',
  );
  register(adapter, 'rest');
  register(adapter, 'graphql');
  program.addCommand(adapter);
}
