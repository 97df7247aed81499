import type { Command } from 'commander';
import { registerGenerateClientCommand } from './generate-client.js';
import { registerGenerateProxyCommand } from './generate-proxy.js';
import { usageErrorsExitOne } from './inspect-common.js';

/**
 * Registers `switchboard generate client|proxy`.
 *
 * @param program - the root command
 */
export function registerGenerateCommand(program: Command): void {
  const generate = usageErrorsExitOne(
    program
      .command('generate')
      .description('generate a typed client package from a server, or a standalone proxy project'),
  );
  registerGenerateClientCommand(generate);
  registerGenerateProxyCommand(generate);
}
