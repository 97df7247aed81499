import { proxyCase } from './proxy-cases.js';

/** The peer configurations measured by default: the ones the targets are stated against. */
const PEERS = /** @type {const} */ ([
  ['supergateway', 'http'],
  ['supergateway', 'sse'],
  ['mcp-proxy', 'http'],
  ['supergateway', 'stdio'],
]);

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'proxy-peers',
  title: 'Peers fronting the raw echo backend: supergateway 4 and mcp-proxy 6',
  inDefault: true,
  needs: ['raw-http', 'raw-legacy-sse'],
  cases: async () =>
    Promise.all(
      PEERS.flatMap(([system, frontend]) =>
        [1, 64].map((concurrency) => proxyCase({ scenario: 'proxy-peers', system, frontend, concurrency })),
      ),
    ),
};
