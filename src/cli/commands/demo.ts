import type { Command } from 'commander';
import { createDemoServer } from '../../demo/demo-server.js';
import { StdioServerTransport } from '../../transports/stdio-server.js';

/** Serves the built-in demo server on this process's stdin/stdout until stdin ends. */
export async function runDemoStdio(): Promise<void> {
  if (process.stdin.isTTY) {
    console.error(
      'switchboard demo: MCP server on stdio. Type JSON-RPC lines, or connect a client. Ctrl-D ends.',
    );
  }
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  transport.onerror = (error) => console.error(`switchboard demo: ${error.message}`);
  await createDemoServer().connect(transport);
  await closed;
}

/** Registers `switchboard demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'serve the built-in demo MCP server on stdio (tools echo, add, countdown, sample; a resource; a prompt)',
    )
    .action(runDemoStdio);
}
