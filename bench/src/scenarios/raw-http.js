import { HttpChannel } from '../load/http-channel.js';
import { startRawServer } from '../subjects/raw.js';
import { benchCase } from './cases.js';

/** The C=64 cases of this scenario: the ceiling the HTTP ratios use (the best of them). */
export const RAW_HTTP_CEILING = ['raw-http/json-16conn/c64', 'raw-http/json-64conn/c64'];

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'raw-http',
  title: 'Raw node:http MCP echo (no SDK, no framework) with the lean HTTP client: the HTTP ceiling',
  inDefault: true,
  cases: async () => {
    const spec = /** @type {const} */ ([
      ['json-1conn', 'http-json', 1, 1],
      ['json-16conn', 'http-json', 64, 16],
      ['json-64conn', 'http-json', 64, 64],
      ['sse-64conn', 'http-sse', 64, 64],
      // Not a ceiling: the floor of any HTTP → stdio relay (see raw-relay-http-stdio.js), beside which
      // the proxy's C=64 rate and C=1 added latency are judged.
      ['relay-1conn', 'http-relay', 1, 1],
      ['relay-64conn', 'http-relay', 64, 64],
    ]);
    return spec.map(([subject, kind, concurrency, connections]) =>
      benchCase({
        scenario: 'raw-http',
        subject,
        group: 'Raw limits',
        system: 'raw',
        label:
          kind === 'http-relay'
            ? `lean HTTP client (${connections} conn) ⇄ minimal node:http → stdio relay ⇄ raw echo child`
            : `lean HTTP client (${connections} conn) ⇄ node:http echo, ${kind === 'http-sse' ? 'SSE' : 'JSON'} answers`,
        transport: kind === 'http-sse' ? 'Streamable HTTP (SSE)' : 'Streamable HTTP (JSON)',
        concurrency,
        connections,
        setup: async (ctx, payloadBytes) =>
          new HttpChannel({ url: await startRawServer(ctx, kind), payloadBytes, connections }),
      }),
    );
  },
};
