import { proxyCase } from './proxy-cases.js';

/** Peer frontends not in the default set (nothing of ours to compare them with by default). */
const PEERS = /** @type {const} */ ([
  ['mcp-proxy', 'sse'],
  ['supergateway', 'ws'],
]);

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'proxy-peers-extra',
  title: 'More peer frontends: mcp-proxy legacy SSE, supergateway WebSocket',
  inDefault: false,
  needs: ['raw-legacy-sse', 'raw-ws'],
  cases: async () =>
    Promise.all(
      PEERS.flatMap(([system, frontend]) =>
        [1, 64].map((concurrency) =>
          proxyCase({ scenario: 'proxy-peers-extra', system, frontend, concurrency }),
        ),
      ),
    ),
};
