/**
 * Runs once before any test file (vitest `globalSetup`): compiles the fixtures that tests start as child
 * processes (see fixtures/compiled.ts) with esbuild.
 *
 * Test-side modules are bundled into each program; imports of src/ become imports of the built dist/, so
 * a child runs the product as built — as the e2e tests run dist/cli.js. `npm test` builds first; after
 * changing src/, run `npm run build` before running single test files.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { COMPILED_DIR, COMPILED_FIXTURES } from './fixtures/compiled.js';
import { fixture, projectFile } from './fixtures/paths.js';

const SRC = projectFile('src');
const DIST = projectFile('dist');

/** Resolves relative imports that land in src/ to the same module in dist/, left external. */
const srcToDist: Plugin = {
  name: 'src-to-dist',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!target.startsWith(SRC + path.sep)) return undefined;
      return { path: path.join(DIST, path.relative(SRC, target)), external: true };
    });
  },
};

/** Newest modification time of any file under `dir` (ms). */
async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

export default async function setup(): Promise<void> {
  const built = path.join(DIST, 'cli.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (\`npm test\` does)`);
  // Against the newest file of dist/: tsc leaves an output whose content did not change untouched.
  if ((await newest(SRC)) > (await newest(DIST)))
    process.stderr.write(
      'warning: src/ is newer than dist/: the child processes run the old build (npm run build)\n',
    );
  await build({
    entryPoints: COMPILED_FIXTURES.map((name) => fixture(name)),
    outdir: COMPILED_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [srcToDist],
  });
}
