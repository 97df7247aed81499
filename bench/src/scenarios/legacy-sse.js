import { LegacySseChannel } from '../load/legacy-sse-channel.js';
import { caseId } from './cases.js';
import { transportScenario } from './transport-scenario.js';

export default transportScenario({
  name: 'legacy-sse',
  transport: 'legacy HTTP+SSE',
  client: { probeUri: 'sse+http://127.0.0.1:1/sse', rawKind: 'legacy-sse', uri: (rawUrl) => `sse+${rawUrl}` },
  servers: [
    {
      subject: 'ours-server',
      label: 'GET stream + undici POSTs ⇄ echo on our HTTP listener (/sse)',
      // The HTTP listener serves the legacy endpoints beside the MCP one.
      listenUri: () => 'http://127.0.0.1:0/mcp',
      clientUrl: (listenerUrl) => new URL('/sse', listenerUrl).href,
    },
  ],
  leanChannel: (url, payloadBytes, concurrency) =>
    new LegacySseChannel({ url, payloadBytes, connections: concurrency }),
  baseline: (concurrency) => caseId('raw-legacy-sse', 'sse', concurrency),
  needs: ['raw-legacy-sse'],
});
