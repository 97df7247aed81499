import { createRequire } from 'node:module';

/** What generated projects take from this package's manifest. */
export interface PackageManifest {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/**
 * This package's package.json (two levels up from both src/codegen and dist/codegen). Single-file
 * builds replace this module with the manifest inlined.
 */
export function packageManifest(): PackageManifest {
  const require = createRequire(import.meta.url);
  const pkg = require('../../package.json') as Partial<PackageManifest>;
  return {
    version: pkg.version ?? '0.0.0',
    dependencies: pkg.dependencies ?? {},
    devDependencies: pkg.devDependencies ?? {},
  };
}
