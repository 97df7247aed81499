import { freePort } from '../sys/net-helpers.js';
import { waitForPort } from '../sys/wait-for.js';
import { NODE, packageFile, serverScript } from './paths.js';

const LOOPBACK_ONLY = new URL('./loopback-only.cjs', import.meta.url).pathname;

/** The stdio backend command line the peers spawn (they take it as one string, run by a shell). */
export function rawEchoCommandLine() {
  return `"${NODE}" "${serverScript('raw-echo-stdio.js')}"`;
}

/**
 * @typedef {'streamableHttp' | 'sse' | 'ws'} SupergatewayOutput
 */

/**
 * Starts supergateway 4 fronting the raw stdio echo (stateful Streamable HTTP, legacy SSE or
 * WebSocket), logging off. Returns the URL its clients use.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {SupergatewayOutput} output
 */
export async function startSupergateway(ctx, output) {
  const port = await freePort();
  const args = [packageFile('supergateway/dist/index.js'), '--stdio', rawEchoCommandLine()];
  args.push('--outputTransport', output, '--port', String(port), '--logLevel', 'none');
  if (output === 'streamableHttp') args.push('--stateful');
  const p = ctx.spawn('supergateway', NODE, args, { env: { NODE_OPTIONS: `--require ${LOOPBACK_ONLY}` } });
  await waitForPort(port, p);
  const path = { streamableHttp: '/mcp', sse: '/sse', ws: '/message' }[output];
  return `${output === 'ws' ? 'ws' : 'http'}://127.0.0.1:${port}${path}`;
}

/**
 * Starts supergateway 4 as a stdio server in front of a Streamable HTTP backend (the reverse
 * direction); returns the process, whose pipes are the channel.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {string} backendUrl
 */
export function startSupergatewayToStdio(ctx, backendUrl) {
  const args = [
    packageFile('supergateway/dist/index.js'),
    '--streamableHttp',
    backendUrl,
    '--logLevel',
    'none',
  ];
  return ctx.spawn('supergateway', NODE, args, { stdoutIsChannel: true });
}

/**
 * Starts punkpeye's mcp-proxy 6 fronting the raw stdio echo on 127.0.0.1 (defaults otherwise).
 * Returns the URL its clients use.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {'stream' | 'sse'} server
 */
export async function startMcpProxy(ctx, server) {
  const port = await freePort();
  const args = [
    packageFile('mcp-proxy/dist/bin/mcp-proxy.mjs'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  args.push('--server', server, '--', NODE, serverScript('raw-echo-stdio.js'));
  const p = ctx.spawn('mcp-proxy', NODE, args);
  await waitForPort(port, p);
  return `http://127.0.0.1:${port}${server === 'stream' ? '/mcp' : '/sse'}`;
}
