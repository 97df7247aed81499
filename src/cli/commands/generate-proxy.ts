import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Command } from 'commander';
import type { ServeConfig } from '../../config/serve-config.js';
import { SwitchboardError } from '../../errors.js';
import { splitOperands } from '../backend-target.js';
import { registerServeCommand, resolveServeConfig } from './serve.js';

type ServeFlags = Parameters<typeof resolveServeConfig>[0];

/** The flags of `switchboard generate proxy`: every serve flag plus these. */
interface GenerateProxyFlags {
  out?: string;
  name?: string;
  switchboardVersion?: string;
}

/**
 * Writes the proxy project of a serve configuration and proves the written config file gives back the
 * same configuration.
 *
 * @param config - the validated configuration
 * @param flags - `--out`, `--name`, `--switchboard-version`
 * @throws SwitchboardError `INVALID_OPTIONS`, `GENERATE_FAILED`
 */
export async function writeProxyProject(config: ServeConfig, flags: GenerateProxyFlags): Promise<string[]> {
  if (flags.out === undefined) throw new SwitchboardError('INVALID_OPTIONS', '--out <dir> is required');
  const { generateProxyProject, PROXY_CONFIG_FILE } = await import('../../codegen/proxy/generate-proxy.js');
  const { writeGeneratedFiles } = await import('../../codegen/write-files.js');
  const files = generateProxyProject(config, {
    packageName: flags.name,
    switchboardSpec: flags.switchboardVersion,
  });
  await mkdir(flags.out, { recursive: true });
  await writeGeneratedFiles(flags.out, files);
  verifyConfigFile(path.join(flags.out, PROXY_CONFIG_FILE), config);
  return [...files.keys()];
}

/**
 * Proves a written config file gives back a configuration (read through `resolveServeConfig`, as
 * `serve --config` reads it).
 *
 * @param file - the config file
 * @param config - the configuration it must reproduce
 * @throws SwitchboardError `GENERATE_FAILED` naming the keys that differ
 */
export function verifyConfigFile(file: string, config: ServeConfig): void {
  const reread = resolveServeConfig({ config: file }, { positional: [], command: [] });
  if (isDeepStrictEqual(reread, config)) return;
  const keys = Object.keys(config).filter(
    (k) => !isDeepStrictEqual(reread[k as keyof ServeConfig], config[k as keyof ServeConfig]),
  );
  throw new SwitchboardError(
    'GENERATE_FAILED',
    `${path.basename(file)} does not reproduce the configuration (${keys.join(', ')})`,
  );
}

/**
 * Registers `switchboard generate proxy`: the serve command's flags (the very same declarations), plus
 * `--out`, `--name` and `--switchboard-version`.
 *
 * @param generate - the `generate` command
 */
export function registerGenerateProxyCommand(generate: Command): void {
  // The serve command is built once on a scratch program and re-used under its new name, so the
  // proxy takes exactly the flags serve takes, now and after serve gains new ones.
  const scratch = new Command();
  registerServeCommand(scratch);
  const command = scratch.commands.find((c) => c.name() === 'serve');
  if (command === undefined) throw new Error('the serve command is not registered');
  command
    .name('proxy')
    .description(
      'write a standalone project (package.json, switchboard.yaml, server.js, README) that runs this serve configuration',
    )
    .option('--out <dir>', 'write the project here')
    .option('--name <pkg-name>', 'npm name of the project (default mcp-switchboard-proxy)')
    .option(
      '--switchboard-version <spec>',
      'version spec of the mcp-switchboard dependency (default: this one)',
    );
  command.action(async (operands: string[], flags: ServeFlags & GenerateProxyFlags, cmd: Command) => {
    try {
      let root: Command = cmd;
      while (root.parent) root = root.parent;
      const rawArgs = (root as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv;
      const config = resolveServeConfig(flags, splitOperands(operands, rawArgs, 'proxy'));
      const written = await writeProxyProject(config, flags);
      console.error(`${flags.out ?? ''}: ${written.join(', ')}`);
    } catch (error) {
      console.error(`switchboard generate proxy: ${(error as Error).message}`);
      process.exitCode = error instanceof SwitchboardError && error.code === 'GENERATE_FAILED' ? 1 : 2;
    }
  });
  generate.addCommand(command);
}
