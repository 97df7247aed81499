import { pino, type Logger } from 'pino';
import { runGateway, type RunningGateway } from '../cli/serve/run-gateway.js';
import { checkGatewayConfig, liftListenEntries } from '../config/gateway-config.js';
import { ServeConfigSchema, type ServeConfigInput } from '../config/serve-config.js';
import { SwitchboardError } from '../errors.js';

export type { RunningGateway } from '../cli/serve/run-gateway.js';

/** Options of {@link startGateway}. */
export interface StartGatewayOptions {
  /** Where logs go (default: none). The CLI passes its stderr logger. */
  logger?: Logger | undefined;
}

/**
 * Starts a gateway from a configuration object — the same shape as the YAML of `switchboard serve
 * --config` (`servers`, `namespace`, `listen` with `{ uri, expose }` entries, and every `serve`
 * option): the servers, the merged catalog, the frontends, health routes and metrics. `switchboard
 * serve` with `servers:` is this function.
 *
 * @param input - the configuration (defaults applied as in the CLI)
 * @returns the running gateway (`gateway.catalog` holds the merged listing), its bound URLs, `close()`
 * @throws SwitchboardError `INVALID_OPTIONS` for a configuration the CLI would refuse (naming the fix),
 *   `COMMAND_REFUSED`/`SSRF_BLOCKED` for a refused server, `LISTEN_FAILED`
 * @example
 * ```ts
 * const running = await startGateway({
 *   servers: {
 *     everything: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything', 'stdio'] },
 *     files: { url: 'http://127.0.0.1:9000/mcp' },
 *   },
 *   listen: ['http://127.0.0.1:8000/mcp'],
 * });
 * console.log(running.gateway.catalog.list('tools').map((t) => t.name));
 * await running.close();
 * ```
 */
export async function startGateway(
  input: ServeConfigInput | Record<string, unknown>,
  options: StartGatewayOptions = {},
): Promise<RunningGateway> {
  const parsed = ServeConfigSchema.safeParse(liftListenEntries({ ...input }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'config';
    throw new SwitchboardError('INVALID_OPTIONS', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  if (config.servers === undefined) throw new SwitchboardError('INVALID_OPTIONS', 'a gateway needs servers:');
  checkGatewayConfig(config);
  return runGateway(config, options.logger ?? pino({ level: 'silent' }));
}
