import { rmSync } from 'node:fs';
import { StreamChannel } from '../load/stream-channel.js';
import { waitForListening } from '../sys/wait-for.js';
import { NODE, serverScript } from './paths.js';

/**
 * Why our stdio transports cannot be benchmarked, or undefined when they can.
 * @returns {Promise<string | undefined>}
 */
export async function stdioMissing() {
  try {
    await import('mcp-switchboard/transports/stdio-client');
    await import('mcp-switchboard/transports/stdio-server');
    return undefined;
  } catch (error) {
    return `not available: mcp-switchboard is not built (${String(error)}); run npm run build at the root`;
  }
}

/**
 * Starts the echo answered through our listener for `uri` in a child; returns the bound URL.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {string} uri - e.g. "tcp://127.0.0.1:0"
 * @param {object} [options] - listen options of that scheme (passed as JSON)
 */
export async function startOursServer(ctx, uri, options = {}) {
  // The child is killed, not closed: its Unix socket file stays behind unless removed here.
  if (uri.startsWith('unix://')) ctx.defer(() => rmSync(new URL(uri).pathname, { force: true }));
  const p = ctx.spawn(
    'ours-echo',
    NODE,
    [serverScript('ours-echo-server.js'), uri, JSON.stringify(options)],
    {
      stdoutIsChannel: true,
    },
  );
  const url = await waitForListening(p);
  p.child.stdout?.resume();
  return url;
}

/**
 * Starts the echo answered through our StdioServerTransport in a child; a lean channel over its pipes.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {number} payloadBytes
 */
export function oursStdioServerChannel(ctx, payloadBytes) {
  const p = ctx.spawn('ours-echo-stdio', NODE, [serverScript('ours-echo-server.js'), 'stdio:'], {
    stdoutIsChannel: true,
  });
  return new StreamChannel({
    readable: /** @type {import('node:stream').Readable} */ (p.child.stdout),
    writable: /** @type {import('node:stream').Writable} */ (p.child.stdin),
    payloadBytes,
  });
}

/**
 * Our StdioClientTransport spawning a backend script of src/servers.
 * @param {string} script - e.g. "raw-echo-stdio.js"
 */
export async function oursStdioClient(script) {
  const { StdioClientTransport } = await import('mcp-switchboard/transports/stdio-client');
  return new StdioClientTransport({ command: NODE, args: [serverScript(script)], stderr: 'pipe' });
}

/**
 * Our client transport for an endpoint URI.
 * @param {string} uri
 * @param {object} [options] - connect options of that scheme
 */
export async function oursClient(uri, options = {}) {
  const { connect } = await import('mcp-switchboard/endpoint');
  return connect(uri, options);
}
