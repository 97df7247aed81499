import { AdapterChannel } from '../load/adapter-channel.js';
import { HttpChannel } from '../load/http-channel.js';
import { serveMissing, startSwitchboard } from '../subjects/switchboard-serve.js';
import { benchCase, caseId } from './cases.js';

const BACKEND = /** @type {const} */ ({ kind: 'stdio', script: 'raw-echo-stdio.js' });
const GROUP = 'Adapters (raw echo backend, lean HTTP client)';

/**
 * `serve` (Streamable HTTP, JSON answers) and its REST and GraphQL adapters in front of the same raw
 * stdio echo backend, measured back to back: the adapters' cost over the MCP endpoint.
 * @type {import('./cases.js').Scenario}
 */
export default {
  name: 'adapters',
  title: 'REST and GraphQL adapters vs `serve` on the same backend',
  inDefault: false,
  cases: async () => {
    const unavailable = await serveMissing();
    return [1, 64].flatMap((concurrency) => [
      benchCase({
        scenario: 'adapters',
        subject: 'serve-mcp-http',
        group: GROUP,
        system: 'switchboard',
        label: 'switchboard serve: stdio backend → Streamable HTTP (JSON answers), tools/call',
        transport: 'Streamable HTTP',
        concurrency,
        unavailable,
        setup: async (ctx, payloadBytes) => {
          const { url } = await startSwitchboard(ctx, { backend: BACKEND, frontend: 'http' });
          return new HttpChannel({ url: String(url), payloadBytes, connections: concurrency });
        },
      }),
      .../** @type {const} */ (['rest', 'graphql']).map((kind) =>
        benchCase({
          scenario: 'adapters',
          subject: `${kind}-adapter`,
          group: GROUP,
          system: 'switchboard',
          label:
            kind === 'rest'
              ? 'switchboard serve --rest: stdio backend → POST /rest/tools/echo'
              : 'switchboard serve --graphql: stdio backend → mutation { echo }',
          transport: kind === 'rest' ? 'HTTP (REST)' : 'HTTP (GraphQL)',
          concurrency,
          baseline: caseId('adapters', 'serve-mcp-http', concurrency),
          unavailable,
          setup: async (ctx, payloadBytes) => {
            const { url } = await startSwitchboard(ctx, {
              backend: BACKEND,
              frontend: 'http',
              extra: [kind === 'rest' ? '--rest' : '--graphql'],
            });
            const origin = new URL(String(url)).origin;
            return new AdapterChannel({
              kind,
              base: `${origin}/${kind}`,
              payloadBytes,
              connections: concurrency,
            });
          },
        }),
      ),
    ]);
  },
};
