import { createRequire } from 'node:module';
import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;

/**
 * The undici HTTP client, loaded on first use: a process that never makes an HTTP request (a stdio or
 * socket proxy) does not pay for it at startup (about 0.1 s on a small machine).
 */
export function undici(): typeof Undici {
  return (loaded ??= createRequire(import.meta.url)('undici') as typeof Undici);
}
