import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SwitchboardError } from '../../errors.js';
import { packageManifest } from '../package-manifest.js';
import { bundleStubs } from './bundle-stubs.js';

// `switchboard build --executable`: the CLI bundled into one CommonJS file with esbuild, turned into a
// Node single executable application blob (`node --experimental-sea-config`), injected into a copy of
// this Node binary with postject.

const run = promisify(execFile);

/**
 * The fuse Node looks for to know a binary carries a SEA blob. Assembled at run time: the literal must
 * not appear in the bundle itself, or postject would find it twice in the injected binary.
 */
const SEA_FUSE = ['NODE', 'SEA', 'FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_');

/** Options of {@link buildExecutable}. */
export interface BuildExecutableOptions {
  /** Where the executable is written. */
  out: string;
  /** A serve configuration (YAML) to bake in: the executable alone then serves it. */
  configYaml?: string | undefined;
  /** The Node binary to copy (default: the one running; it also makes the blob, so versions match). */
  nodeBinary?: string | undefined;
  /** Told what the build is doing. */
  onStep?: ((step: string) => void) | undefined;
}

/** What {@link buildExecutable} made. */
export interface BuiltExecutable {
  path: string;
  /** Size of the executable in bytes. */
  bytes: number;
  /** Size of the bundled script in bytes. */
  bundleBytes: number;
}

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ warnings: { text: string }[] }>;
}
interface Postject {
  inject(file: string, name: string, data: Buffer, options: Record<string, unknown>): Promise<void>;
}

async function load<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (cause) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `build --executable needs ${name}: npm install --save-dev esbuild postject (they are optional peers of mcp-switchboard)`,
      { cause },
    );
  }
}

// The entry next to this module: dist/cli/sea-main.js (or the TypeScript source when run from src/).
async function entryPoint(): Promise<string> {
  for (const ext of ['js', 'ts']) {
    const file = fileURLToPath(new URL(`../../cli/sea-main.${ext}`, import.meta.url));
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  throw new SwitchboardError('GENERATE_FAILED', 'cannot find cli/sea-main of mcp-switchboard');
}

/**
 * Builds a single executable that runs `switchboard` with no Node installed (Node's single executable
 * applications). Native modules that cannot be bundled are left out (see `LEFT_OUT`).
 *
 * @param options - output path, optional baked configuration
 * @throws SwitchboardError `INVALID_OPTIONS` when esbuild or postject is not installed, `GENERATE_FAILED`
 *   when a step fails
 * @example
 * ```ts
 * await buildExecutable({ out: 'switchboard-linux-x64', configYaml: 'listen: [http://127.0.0.1:3000/mcp]\n' });
 * ```
 */
export async function buildExecutable(options: BuildExecutableOptions): Promise<BuiltExecutable> {
  const esbuild = await load<Esbuild>('esbuild');
  const postject = await load<Postject>('postject');
  const node = options.nodeBinary ?? process.execPath;
  const work = await mkdtemp(path.join(tmpdir(), 'switchboard-build-'));
  try {
    options.onStep?.('bundling');
    const bundle = path.join(work, 'switchboard.cjs');
    const result = await esbuild.build({
      entryPoints: [await entryPoint()],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      // `import.meta.url` of the ESM sources: the executable's own path in the bundle.
      define: { 'import.meta.url': '__switchboardModuleUrl' },
      banner: { js: 'var __switchboardModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
      plugins: [bundleStubs(packageManifest())],
    });
    for (const warning of result.warnings) options.onStep?.(`warning: ${warning.text}`);
    const seaConfig = {
      main: bundle,
      output: path.join(work, 'sea.blob'),
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      ...(options.configYaml === undefined
        ? {}
        : { assets: { 'switchboard.yaml': path.join(work, 'config.yaml') } }),
    };
    if (options.configYaml !== undefined) await writeFile(path.join(work, 'config.yaml'), options.configYaml);
    await writeFile(path.join(work, 'sea-config.json'), JSON.stringify(seaConfig));
    options.onStep?.('making the blob');
    await run(node, ['--experimental-sea-config', path.join(work, 'sea-config.json')], { cwd: work });
    options.onStep?.('injecting');
    await copyFile(node, options.out);
    await chmod(options.out, 0o755);
    await postject.inject(options.out, 'NODE_SEA_BLOB', await readFile(seaConfig.output), {
      sentinelFuse: SEA_FUSE,
      ...(process.platform === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
    });
    return {
      path: options.out,
      bytes: (await stat(options.out)).size,
      bundleBytes: (await stat(bundle)).size,
    };
  } catch (cause) {
    if (cause instanceof SwitchboardError) throw cause;
    throw new SwitchboardError('GENERATE_FAILED', `build --executable: ${(cause as Error).message}`, {
      cause,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
