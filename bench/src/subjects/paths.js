import { fileURLToPath } from 'node:url';

/** The bench package directory. */
export const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The root of the repository (the mcp-switchboard package). */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** This Node binary: every process of a run uses the same one. */
export const NODE = process.execPath;

/**
 * Absolute path of a backend script in src/servers.
 * @param {string} name - e.g. "raw-echo-stdio.js"
 */
export function serverScript(name) {
  return fileURLToPath(new URL(`../servers/${name}`, import.meta.url));
}

/**
 * Absolute path of a file inside an installed package of the bench.
 * @param {string} relative - e.g. "supergateway/dist/index.js"
 */
export function packageFile(relative) {
  return `${BENCH_DIR}node_modules/${relative}`;
}
