import { HttpChannel } from '../load/http-channel.js';
import { LegacySseChannel } from '../load/legacy-sse-channel.js';
import { StreamChannel } from '../load/stream-channel.js';
import { WsChannel } from '../load/ws-channel.js';
import { connectMissing } from '../subjects/our-capabilities.js';
import { startMcpProxy, startSupergateway, startSupergatewayToStdio } from '../subjects/peers.js';
import { socketChannel, startRawServer } from '../subjects/raw.js';
import { serveMissing, startSwitchboard } from '../subjects/switchboard-serve.js';
import { benchCase, caseId } from './cases.js';
import { RAW_HTTP_CEILING } from './raw-http.js';

/**
 * @typedef {'switchboard' | 'supergateway' | 'mcp-proxy'} ProxySystem
 * @typedef {import('../subjects/switchboard-serve.js').Frontend} Frontend
 */

/** The frontends each proxy offers (the stdio frontend fronts an HTTP backend; the others a stdio one). */
export const FRONTENDS = /** @type {const} */ ({
  switchboard: ['http', 'http-sse', 'sse', 'tcp', 'unix', 'ws', 'stdio'],
  supergateway: ['http', 'sse', 'ws', 'stdio'],
  'mcp-proxy': ['http', 'sse'],
});

/** @type {Record<Frontend, string>} */
const TRANSPORT_WORDS = {
  http: 'Streamable HTTP',
  'http-sse': 'Streamable HTTP (SSE answers)',
  sse: 'legacy HTTP+SSE',
  ws: 'WebSocket',
  tcp: 'TCP',
  unix: 'Unix socket',
  stdio: 'stdio',
};

/**
 * The raw limit a proxy frontend is compared with: the raw server of the frontend's transport.
 * @param {Frontend} frontend
 * @param {number} concurrency
 * @returns {string | string[]}
 */
export function frontendBaseline(frontend, concurrency) {
  if (frontend === 'http' || frontend === 'http-sse' || frontend === 'stdio') {
    return concurrency === 1 ? caseId('raw-http', 'json-1conn', 1) : RAW_HTTP_CEILING;
  }
  if (frontend === 'sse') return caseId('raw-legacy-sse', 'sse', concurrency === 1 ? 1 : 64);
  if (frontend === 'ws') return caseId('raw-ws', 'ws', concurrency === 1 ? 1 : 64);
  return caseId('raw-socket', frontend, concurrency === 1 ? 1 : 64);
}

/**
 * A proxy case: `system` fronting the raw echo backend (stdio; an HTTP backend for the stdio frontend)
 * on `frontend`, driven by the lean client of that frontend.
 * @param {{ scenario: string, system: ProxySystem, frontend: Frontend, concurrency: number,
 *   payloadBytes?: number, group?: string, baseline?: string | string[], windowScale?: number,
 *   extraArgs?: string[], inDefault?: boolean, variant?: { id: string, words: string } }} spec - a
 *   `variant` (flags in `extraArgs`) is its own subject: `<system>-<backend>-to-<frontend>-<id>`
 * @returns {Promise<import('./cases.js').BenchCase>}
 */
export async function proxyCase(spec) {
  const { system, frontend, concurrency } = spec;
  const backend = frontend === 'stdio' ? 'http' : 'stdio';
  return benchCase({
    scenario: spec.scenario,
    subject: `${system}-${backend}-to-${frontend}${spec.variant ? `-${spec.variant.id}` : ''}`,
    group: spec.group ?? 'Proxy (raw echo backend, lean client)',
    system,
    label: `${system}: ${backend} backend → ${TRANSPORT_WORDS[frontend]} frontend${spec.variant ? `, ${spec.variant.words}` : ''}`,
    transport: TRANSPORT_WORDS[frontend],
    concurrency,
    payloadBytes: spec.payloadBytes,
    windowScale: spec.windowScale,
    inDefault: spec.inDefault,
    baseline: spec.baseline ?? frontendBaseline(frontend, concurrency),
    unavailable: system === 'switchboard' ? await switchboardMissing(backend) : undefined,
    setup: async (ctx, payloadBytes) => {
      if (frontend === 'stdio') {
        const backendUrl = await startRawServer(ctx, 'http-json');
        const p =
          system === 'switchboard'
            ? (
                await startSwitchboard(ctx, {
                  backend: { kind: 'http', url: backendUrl },
                  frontend,
                  extra: spec.extraArgs,
                })
              ).process
            : startSupergatewayToStdio(ctx, backendUrl);
        if (!p) throw new Error('no process for the stdio frontend');
        return new StreamChannel({
          readable: /** @type {import('node:stream').Readable} */ (p.child.stdout),
          writable: /** @type {import('node:stream').Writable} */ (p.child.stdin),
          payloadBytes,
        });
      }
      const url = await startProxy(ctx, system, frontend, spec.extraArgs);
      return leanChannel(frontend, url, payloadBytes, concurrency);
    },
  });
}

/**
 * Why our proxy cannot run a case yet: no `serve` command, or (HTTP backend) no HTTP client transport.
 * @param {'stdio' | 'http'} backend
 */
async function switchboardMissing(backend) {
  const serve = await serveMissing();
  if (serve || backend === 'stdio') return serve;
  const client = await connectMissing('http://127.0.0.1:1/mcp');
  return client ? `${client} (needed for the HTTP backend)` : undefined;
}

/**
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {ProxySystem} system
 * @param {Exclude<Frontend, 'stdio'>} frontend
 * @param {string[] | undefined} extraArgs
 * @returns {Promise<string>}
 */
async function startProxy(ctx, system, frontend, extraArgs) {
  if (system === 'switchboard') {
    const { url } = await startSwitchboard(ctx, {
      backend: { kind: 'stdio', script: 'raw-echo-stdio.js' },
      frontend,
      extra: extraArgs,
    });
    if (!url) throw new Error('switchboard returned no URL');
    return url;
  }
  if (system === 'supergateway') {
    if (frontend !== 'http' && frontend !== 'sse' && frontend !== 'ws')
      throw new Error(`supergateway has no ${frontend} output`);
    return startSupergateway(ctx, frontend === 'http' ? 'streamableHttp' : frontend);
  }
  if (frontend !== 'http' && frontend !== 'sse') throw new Error(`mcp-proxy has no ${frontend} server`);
  return startMcpProxy(ctx, frontend === 'http' ? 'stream' : 'sse');
}

/**
 * The lean client of a frontend kind.
 * @param {Exclude<Frontend, 'stdio'>} frontend
 * @param {string} url
 * @param {number} payloadBytes
 * @param {number} concurrency
 * @returns {Promise<import('../load/channel.js').Channel>}
 */
export async function leanChannel(frontend, url, payloadBytes, concurrency) {
  switch (frontend) {
    case 'http':
    case 'http-sse':
      return new HttpChannel({ url, payloadBytes, connections: concurrency });
    case 'sse':
      return new LegacySseChannel({ url, payloadBytes, connections: concurrency });
    case 'ws':
      return new WsChannel({ url, payloadBytes });
    case 'tcp':
    case 'unix':
      return socketChannel(url, payloadBytes);
  }
}
