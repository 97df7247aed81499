import { createRequire } from 'node:module';

/** The package version, read from package.json (two levels up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('../../package.json') as { version?: string };
  return pkg.version ?? '0.0.0';
}
