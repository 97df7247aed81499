import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { SwitchboardError } from '../../errors.js';
import { packageVersion } from '../version.js';
import { verifyConfigFile } from './generate-proxy.js';
import { resolveServeConfig } from './serve.js';

/** The flags of `switchboard build`. */
interface BuildFlags {
  executable?: string;
  config?: string;
}

/**
 * Runs `switchboard build --executable OUT [--config FILE]`: validates the configuration (if any),
 * normalises it, and builds the single executable with it baked in.
 *
 * @param flags - the parsed flags
 * @throws SwitchboardError `INVALID_OPTIONS`, `GENERATE_FAILED`
 */
export async function runBuild(flags: BuildFlags): Promise<void> {
  if (flags.executable === undefined)
    throw new SwitchboardError('INVALID_OPTIONS', '--executable <out> is required');
  const { buildExecutable } = await import('../../codegen/executable/build-executable.js');
  const { serveConfigYaml } = await import('../../codegen/proxy/serve-config-file.js');
  let configYaml: string | undefined;
  if (flags.config !== undefined) {
    const config = resolveServeConfig({ config: flags.config }, { positional: [], command: [] });
    configYaml = serveConfigYaml(config, [
      `Baked into a switchboard ${packageVersion()} executable from ${path.basename(flags.config)}.`,
    ]);
    const scratch = await mkdtemp(path.join(tmpdir(), 'switchboard-config-'));
    try {
      const file = path.join(scratch, 'switchboard.yaml');
      await writeFile(file, configYaml);
      verifyConfigFile(file, config);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const started = performance.now();
  const built = await buildExecutable({
    out: flags.executable,
    configYaml,
    onStep: (step) => console.error(`switchboard build: ${step}…`),
  });
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  console.error(
    `switchboard build: ${built.path} (${mb(built.bytes)}, script ${mb(built.bundleBytes)}${
      configYaml === undefined ? '' : ', configuration baked in'
    }) in ${Math.round(performance.now() - started)} ms`,
  );
}

/**
 * Registers `switchboard build`.
 *
 * @param program - the root command
 */
export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      'build a single executable that runs switchboard without Node (Node single executable applications)',
    )
    .requiredOption('--executable <out>', 'where to write the executable')
    .option('--config <file>', 'a serve configuration to bake in: the executable alone then serves it')
    .action(async (flags: BuildFlags) => {
      try {
        await runBuild(flags);
      } catch (error) {
        console.error(`switchboard build: ${(error as Error).message}`);
        process.exitCode = error instanceof SwitchboardError && error.code === 'INVALID_OPTIONS' ? 2 : 1;
      }
    });
}
