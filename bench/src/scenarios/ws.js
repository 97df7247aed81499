import { WsChannel } from '../load/ws-channel.js';
import { caseId } from './cases.js';
import { transportScenario } from './transport-scenario.js';

export default transportScenario({
  name: 'ws',
  transport: 'WebSocket',
  client: { probeUri: 'ws://127.0.0.1:1/mcp', rawKind: 'ws' },
  servers: [
    {
      subject: 'ours-server',
      label: 'lean ws client ⇄ echo on our WebSocket listener',
      listenUri: () => 'ws://127.0.0.1:0/mcp',
    },
  ],
  leanChannel: (url, payloadBytes) => new WsChannel({ url, payloadBytes }),
  baseline: (concurrency) => caseId('raw-ws', 'ws', concurrency),
  needs: ['raw-ws'],
});
