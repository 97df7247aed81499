import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { freePort, tempSocketPath } from '../sys/net-helpers.js';
import { waitForPort } from '../sys/wait-for.js';
import { NODE, REPO_ROOT, serverScript } from './paths.js';

const CLI = `${REPO_ROOT}dist/cli.js`;

/**
 * Which build of `switchboard` runs and with which Node flags, for profiling and same-run A/B
 * comparisons (`src/profile.js`, `src/compare.js`): `BENCH_SERVE_CLI` names another `dist/cli.js`,
 * `BENCH_SERVE_NODE_ARGS` adds Node flags (space-separated, e.g. `--cpu-prof --cpu-prof-dir=DIR`; Node
 * refuses `--cpu-prof` in NODE_OPTIONS). Read at each start, so a script may change them between cases.
 * @returns {string[]} the node flags and the CLI path
 */
function serveCommand() {
  const flags = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return [...flags, process.env.BENCH_SERVE_CLI || CLI];
}

/**
 * @typedef {{ kind: 'stdio', script: string } | { kind: 'http', url: string } | { kind: 'none' }} Backend -
 *   `none`: the backends are in `extra` (a gateway's `--server NAME=…` flags)
 * @typedef {'http' | 'http-sse' | 'sse' | 'tcp' | 'unix' | 'ws' | 'stdio'} Frontend - `http` answers
 *   with JSON, `http-sse` with SSE; `sse` is the legacy HTTP+SSE endpoint of the same HTTP listener
 */

/**
 * THE command line of our proxy: the one place to edit when the flags of `switchboard serve` change.
 * Everything else (ports, readiness, load, clean-up) is generic. Logging is off, as for the peers.
 * @param {{ backend: Backend, listen: string, frontend: Frontend, extra?: string[] }} options - `listen`
 *   is the frontend URI (`http://127.0.0.1:PORT/mcp`, `tcp://…`, `unix:///…`, `ws://…`, `stdio:`)
 * @returns {string[]} argv after the node binary
 */
export function serveArgs({ backend, listen, frontend, extra = [] }) {
  const args = [...serveCommand(), 'serve'];
  if (backend.kind === 'http') args.push(backend.url);
  args.push('--listen', listen, '--log-level', 'silent');
  if (frontend === 'http') args.push('--response-mode', 'json');
  if (frontend === 'http-sse') args.push('--response-mode', 'sse');
  args.push(...extra);
  if (backend.kind === 'stdio') args.push('--', NODE, serverScript(backend.script));
  return args;
}

/**
 * The flags that make `serve` a gateway: one `--server NAME=command` per server.
 * @param {Record<string, string>} servers - name → command line (split by `serve`, never by a shell)
 * @returns {string[]}
 */
export function gatewayServerFlags(servers) {
  return Object.entries(servers).flatMap(([name, command]) => ['--server', `${name}=${command}`]);
}

/** @type {Promise<string | undefined> | undefined} */
let availability;

/**
 * Why our proxy cannot be benchmarked yet, or undefined when `node dist/cli.js serve --help` works.
 * @returns {Promise<string | undefined>}
 */
export function serveMissing() {
  availability ??= new Promise((resolve) => {
    if (!existsSync(CLI))
      return resolve('not available yet: dist/cli.js is not built (npm run build at the root)');
    execFile(NODE, [CLI, 'serve', '--help'], { timeout: 15_000 }, (error) =>
      resolve(error ? 'not available yet: `switchboard serve` does not run (its --help failed)' : undefined),
    );
  });
  return availability;
}

/**
 * Starts our proxy in front of a backend; returns where its clients connect: a URL for network
 * frontends, or the process (whose pipes are the channel) for the stdio frontend — and the process.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {{ backend: Backend, frontend: Frontend, extra?: string[] }} options
 * @returns {Promise<{ url?: string, process?: import('../sys/processes.js').Tracked }>}
 */
export async function startSwitchboard(ctx, { backend, frontend, extra }) {
  if (frontend === 'stdio') {
    const args = serveArgs({ backend, listen: 'stdio:', frontend, extra });
    return { process: ctx.spawn('switchboard', NODE, args, { stdoutIsChannel: true }) };
  }
  if (frontend === 'unix') {
    const socket = tempSocketPath();
    ctx.defer(socket.remove);
    const listen = `unix://${socket.path}`;
    const p = ctx.spawn('switchboard', NODE, serveArgs({ backend, listen, frontend, extra }));
    await waitForUnixSocket(socket.path, p);
    return { url: listen, process: p };
  }
  const port = await freePort();
  const base = `127.0.0.1:${port}`;
  const listen =
    frontend === 'tcp' ? `tcp://${base}` : frontend === 'ws' ? `ws://${base}/mcp` : `http://${base}/mcp`;
  const p = ctx.spawn('switchboard', NODE, serveArgs({ backend, listen, frontend, extra }));
  await waitForPort(port, p);
  return { url: frontend === 'sse' ? `http://${base}/sse` : listen, process: p };
}

/**
 * @param {string} path
 * @param {import('../sys/processes.js').Tracked} tracked
 */
async function waitForUnixSocket(path, tracked) {
  let gone = false;
  void tracked.exited.then(() => (gone = true));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`switchboard exited before it listened on ${path}: ${tracked.stderrTail()}`);
    const ok = await new Promise((resolve) => {
      const s = netConnect({ path });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`switchboard did not listen on ${path}: ${tracked.stderrTail()}`);
}
