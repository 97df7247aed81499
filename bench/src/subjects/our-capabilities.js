import { rmSync } from 'node:fs';

/**
 * Probes of what the built library can do, so a case whose side is not built yet is reported as
 * "not available yet" instead of failing. A scheme may exist with only one side (e.g. `http:` listens
 * before its client lands).
 */

/** @returns {Promise<typeof import('mcp-switchboard/endpoint') | string>} the module, or why not */
async function loadEndpoint() {
  try {
    return await import('mcp-switchboard/endpoint');
  } catch (error) {
    return `not available: mcp-switchboard is not built (${String(error)}); run npm run build at the root`;
  }
}

/**
 * Why `connect(uri)` cannot make a client transport yet, or undefined when it can. Creating the
 * transport does no I/O (it is not started).
 * @param {string} uri - a well-formed URI of the scheme, e.g. "tcp://127.0.0.1:1"
 * @returns {Promise<string | undefined>}
 */
export async function connectMissing(uri) {
  const endpoint = await loadEndpoint();
  if (typeof endpoint === 'string') return endpoint;
  try {
    endpoint.connect(uri, {});
    return undefined;
  } catch (error) {
    return `not available yet: ${error instanceof Error ? error.message.split('. ')[0] : String(error)}`;
  }
}

/**
 * Why `listen(uri)` cannot bind yet, or undefined when it can (binds, then closes at once).
 * @param {string} uri - e.g. "tcp://127.0.0.1:0"
 * @param {object} [options] - listen options of the scheme
 * @returns {Promise<string | undefined>}
 */
export async function listenMissing(uri, options = {}) {
  const endpoint = await loadEndpoint();
  if (typeof endpoint === 'string') return endpoint;
  try {
    const listener = await endpoint.listen(uri, { ...options, onConnection: () => undefined });
    await listener.close({ graceMs: 0 });
    if (uri.startsWith('unix://')) rmSync(new URL(uri).pathname, { force: true });
    return undefined;
  } catch (error) {
    return `not available yet: ${error instanceof Error ? error.message.split('. ')[0] : String(error)}`;
  }
}
