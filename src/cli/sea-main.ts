// Entry of the single-file executable built by `switchboard build --executable` (bundled to CommonJS:
// no top-level await). With a configuration baked in, `switchboard` alone serves it, and `serve`
// without `--config` uses it; every other command works as in the npm package.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getAsset, isSea } from 'node:sea';
import { argvWithBakedConfig, BAKED_CONFIG_ASSET } from './baked-config.js';
import { main } from './main.js';

function bakedConfig(): string | undefined {
  if (!isSea()) return undefined;
  try {
    return getAsset(BAKED_CONFIG_ASSET, 'utf8');
  } catch {
    return undefined; // built without --config
  }
}

const yaml = bakedConfig();
let file: string | undefined;
if (yaml !== undefined) {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-'));
  file = path.join(dir, BAKED_CONFIG_ASSET);
  writeFileSync(file, yaml, { mode: 0o600 });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
void main(argvWithBakedConfig(process.argv, file));
