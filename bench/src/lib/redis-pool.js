// The parts of a Redis worker pool the stand-alone benchmark scripts start (scale-out, its profile, the
// state journal): a redis-server without persistence on a free loopback port, `switchboard worker`
// processes, and initialized MCP connections over our Redis queue transport.
import { connect } from 'mcp-switchboard/endpoint';
import { freePort } from './child-processes.js';

/**
 * Starts redis-server on a free port of 127.0.0.1 with its files in `dir` and no persistence.
 * @param {import('./child-processes.js').Children} children
 * @param {string} dir
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, port: number, url: string }>}
 */
export async function startRedis(children, dir) {
  const port = await freePort();
  const { child } = await children.start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
  );
  return { child, port, url: `redis://127.0.0.1:${port}/0` };
}

/**
 * Starts `switchboard worker --queue <queue> -- node <server>` and resolves once it serves.
 * @param {import('./child-processes.js').Children} children
 * @param {{ cli: string, queue: string, server: string, nodeArgs?: string[] }} options
 * @returns {Promise<import('node:child_process').ChildProcess>}
 */
export async function startWorker(children, { cli, queue, server, nodeArgs = [] }) {
  // A stdio backend inherits only a few variables (PATH, HOME, …): the tool's CPU time per call is
  // passed on explicitly.
  const env = process.env.SPIN_MS === undefined ? [] : ['--env', `SPIN_MS=${process.env.SPIN_MS}`];
  const { child } = await children.start(
    process.execPath,
    [
      ...nodeArgs,
      cli,
      'worker',
      '--queue',
      queue,
      '--log-format',
      'json',
      ...env,
      '--',
      process.execPath,
      server,
    ],
    /"msg":"serving"/,
  );
  return child;
}

/**
 * An MCP connection over our Redis queue transport, initialized; `call` sends a request and resolves
 * with its answer.
 * @param {string} uri
 */
export async function queueConnection(uri) {
  const t = connect(uri);
  /** @type {Map<unknown, (m: unknown) => void>} */
  const waiting = new Map();
  t.onmessage = (m) => {
    const resolve = waiting.get(m.id);
    waiting.delete(m.id);
    resolve?.(m);
  };
  await t.start();
  let next = 0;
  /** @param {{ jsonrpc: '2.0', method: string, params?: Record<string, unknown> }} message */
  const call = (message) =>
    new Promise((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      void t.send({ ...message, id });
    });
  await call({
    jsonrpc: '2.0',
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  });
  await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { call, close: () => t.close() };
}
