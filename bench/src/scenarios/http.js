import { HttpChannel } from '../load/http-channel.js';
import { caseId } from './cases.js';
import { RAW_HTTP_CEILING } from './raw-http.js';
import { transportScenario } from './transport-scenario.js';

export default transportScenario({
  name: 'http',
  transport: 'Streamable HTTP',
  client: { probeUri: 'http://127.0.0.1:1/mcp', rawKind: 'http-json' },
  servers: /** @type {const} */ (['json', 'sse']).map((mode) => ({
    subject: `ours-server-${mode}`,
    label: `lean HTTP client ⇄ echo on our HTTP listener, ${mode === 'json' ? 'JSON' : 'SSE'} answers`,
    listenUri: () => 'http://127.0.0.1:0/mcp',
    listenOptions: { http: { responseMode: mode } },
  })),
  leanChannel: (url, payloadBytes, concurrency) =>
    new HttpChannel({ url, payloadBytes, connections: concurrency }),
  baseline: (concurrency) => (concurrency === 1 ? caseId('raw-http', 'json-1conn', 1) : RAW_HTTP_CEILING),
  needs: ['raw-http'],
});
