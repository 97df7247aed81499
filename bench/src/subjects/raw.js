import { connect as netConnect } from 'node:net';
import { StreamChannel } from '../load/stream-channel.js';
import { tempSocketPath } from '../sys/net-helpers.js';
import { waitForListening } from '../sys/wait-for.js';
import { NODE, serverScript } from './paths.js';

/**
 * Starts the raw NDJSON echo server as a child and returns a lean channel over its pipes.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {number} payloadBytes
 */
export function rawStdioChannel(ctx, payloadBytes) {
  const p = ctx.spawn('raw-echo', NODE, [serverScript('raw-echo-stdio.js')], { stdoutIsChannel: true });
  return new StreamChannel({
    readable: /** @type {import('node:stream').Readable} */ (p.child.stdout),
    writable: /** @type {import('node:stream').Writable} */ (p.child.stdin),
    payloadBytes,
  });
}

/**
 * Starts one of the raw echo servers that listen (socket, http, ws, legacy sse) and returns its URI;
 * `http-forward` is the check-nothing HTTP → stdio forwarder in front of the raw echo child (C=1 only);
 * `http-relay` the minimal HTTP → stdio relay in front of it (any concurrency; routes by id, nothing more).
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {'tcp' | 'unix' | 'http-json' | 'http-sse' | 'http-forward' | 'http-relay' | 'ws' | 'legacy-sse'} kind
 * @returns {Promise<string>}
 */
export async function startRawServer(ctx, kind) {
  /** @type {Record<typeof kind, () => string[]>} */
  const argv = {
    tcp: () => [serverScript('raw-echo-socket.js'), 'tcp'],
    unix: () => {
      const socket = tempSocketPath();
      ctx.defer(socket.remove);
      return [serverScript('raw-echo-socket.js'), 'unix', socket.path];
    },
    'http-json': () => [serverScript('raw-echo-http.js'), 'json'],
    'http-sse': () => [serverScript('raw-echo-http.js'), 'sse'],
    'http-forward': () => [serverScript('raw-forward-http-stdio.js')],
    'http-relay': () => [serverScript('raw-relay-http-stdio.js')],
    ws: () => [serverScript('raw-echo-ws.js')],
    'legacy-sse': () => [serverScript('raw-echo-legacy-sse.js')],
  };
  const p = ctx.spawn(`raw-echo-${kind}`, NODE, argv[kind](), { stdoutIsChannel: true });
  const uri = await waitForListening(p);
  p.child.stdout?.resume();
  return uri;
}

/**
 * A lean NDJSON channel over a new TCP or Unix socket connection.
 * @param {string} uri - `tcp://host:port` or `unix:///path`
 * @param {number} payloadBytes
 */
export function socketChannel(uri, payloadBytes) {
  return socketChannelWith(uri, payloadBytes, undefined);
}

/**
 * {@link socketChannel} with other request lines than the plain tools/call echo.
 * @param {string} uri - `tcp://host:port` or `unix:///path`
 * @param {number} payloadBytes
 * @param {{ line: (id: number) => string } | undefined} frames - the request lines (default: the echo)
 */
export async function socketChannelWith(uri, payloadBytes, frames) {
  const url = new URL(uri);
  const socket =
    url.protocol === 'unix:'
      ? netConnect({ path: decodeURIComponent(url.pathname) })
      : netConnect({ host: url.hostname, port: Number(url.port) });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  return new StreamChannel({
    readable: socket,
    writable: socket,
    payloadBytes,
    onClose: async () => void socket.destroy(),
    ...(frames ? { frames } : {}),
  });
}
