import type { PackageManifest } from '../package-manifest.js';

type OnResolve = (args: { path: string }) => { path: string; namespace: string } | undefined;
type OnLoad = (args: { path: string }) => { contents: string; loader: 'js' } | undefined;

/** The part of esbuild's plugin interface used here (esbuild is an optional peer: no type import). */
export interface EsbuildPlugin {
  name: string;
  setup(build: {
    onResolve(options: { filter: RegExp; namespace?: string }, callback: OnResolve): void;
    onLoad(options: { filter: RegExp; namespace?: string }, callback: OnLoad): void;
  }): void;
}

// What the single-file bundle replaces: native modules that cannot be bundled (a stub that fails with
// a clear message where the feature is used), the build tools themselves, and the modules that read
// package.json from disk (there is no package.json next to an executable).

/** Modules left out of the executable, with the message their feature fails with. */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  'lz4-napi':
    'lz4 compression is not available in the single-file executable (the native module lz4-napi cannot be bundled): use br or gzip, or run switchboard from npm',
  esbuild:
    'switchboard build --executable is not available in the single-file executable: run it from npm (npx mcp-switchboard build --executable …)',
  postject:
    'switchboard build --executable is not available in the single-file executable: run it from npm (npx mcp-switchboard build --executable …)',
  // Optional accelerators and colours that their users load inside try/catch.
  bufferutil: 'bufferutil (optional native WebSocket accelerator) is not bundled',
  'utf-8-validate': 'utf-8-validate (optional native WebSocket validator) is not bundled',
  'cli-color': 'cli-color (optional debug colours) is not bundled',
};

/**
 * The esbuild plugin of the executable's bundle.
 *
 * @param manifest - this package's manifest, inlined for `packageVersion()` / `packageManifest()`
 */
export function bundleStubs(manifest: PackageManifest): EsbuildPlugin {
  const names = Object.keys(LEFT_OUT).map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  return {
    name: 'switchboard-executable',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({
        path: args.path,
        namespace: 'left-out',
      }));
      build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
        // Loading fails, so optional features (lz4) are simply not offered; a feature that needs the
        // module reports this message.
        contents: `throw new Error(${JSON.stringify(LEFT_OUT[args.path] ?? `${args.path} is not bundled`)});`,
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]cli[\\/]version\.[jt]s$/ }, () => ({
        contents: `export function packageVersion() { return ${JSON.stringify(manifest.version)}; }`,
        loader: 'js',
      }));
      // Libraries the npm package loads on first use (`lazy-modules.ts`, through `require`, which
      // esbuild cannot follow there): the executable has no node_modules, so they are bundled.
      build.onLoad({ filter: /[\\/]lazy-modules\.[jt]s$/ }, () => ({
        contents: [
          "import * as undici from 'undici';",
          "import * as yaml from 'yaml';",
          "import pinoPretty from 'pino-pretty';",
          "import * as ws from 'ws';",
          "import * as jose from 'jose';",
          "import * as promClient from 'prom-client';",
          "import * as cockatiel from 'cockatiel';",
          "import * as openTelemetry from '@opentelemetry/api';",
          'export const loadUndici = () => undici;',
          'export const loadYaml = () => yaml;',
          'export const loadPinoPretty = () => pinoPretty;',
          'export const loadWs = () => ws;',
          'export const loadJose = () => jose;',
          'export const loadPromClient = () => promClient;',
          'export const loadCockatiel = () => cockatiel;',
          'export const loadOpenTelemetry = () => openTelemetry;',
        ].join('\n'),
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]codegen[\\/]package-manifest\.[jt]s$/ }, () => ({
        contents: `export function packageManifest() { return ${JSON.stringify(manifest)}; }`,
        loader: 'js',
      }));
    },
  };
}
