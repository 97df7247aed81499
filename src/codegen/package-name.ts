import { SwitchboardError } from '../errors.js';

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/**
 * Checks an npm package name (lower case, URL-safe characters, optional scope, at most 214 characters).
 *
 * @param name - the name
 * @throws SwitchboardError `INVALID_OPTIONS` naming the flag
 * @example
 * ```ts
 * assertPackageName('@acme/demo-client'); // ok
 * ```
 */
export function assertPackageName(name: string): void {
  if (!NPM_NAME.test(name) || name.length > 214) {
    throw new SwitchboardError('INVALID_OPTIONS', `--name "${name}" is not a valid npm package name`);
  }
}
