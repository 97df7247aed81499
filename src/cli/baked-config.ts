// How the single-file executable applies a configuration baked into it.

/** The asset name of a baked configuration. */
export const BAKED_CONFIG_ASSET = 'switchboard.yaml';

/**
 * The argv to run: with a baked configuration written to a private temporary file, no command means
 * `serve --config <file>`, and `serve` without `--config` gets it.
 *
 * @param argv - `process.argv`
 * @param file - where the baked configuration was written (undefined: none)
 */
export function argvWithBakedConfig(argv: readonly string[], file: string | undefined): string[] {
  const [node = '', script = '', ...args] = argv;
  if (file === undefined) return [...argv];
  if (args.length === 0) return [node, script, 'serve', '--config', file];
  if (args[0] === 'serve' && !args.some((a) => a === '--config' || a.startsWith('--config='))) {
    return [node, script, 'serve', '--config', file, ...args.slice(1)];
  }
  return [...argv];
}
