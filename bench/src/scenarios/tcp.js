import { socketChannel } from '../subjects/raw.js';
import { rawSocketBaseline, transportScenario } from './transport-scenario.js';

export default transportScenario({
  name: 'tcp',
  transport: 'TCP',
  client: { probeUri: 'tcp://127.0.0.1:1', rawKind: 'tcp' },
  servers: [
    {
      subject: 'ours-server',
      label: 'lean client ⇄ echo on our TCP listener',
      listenUri: () => 'tcp://127.0.0.1:0',
    },
  ],
  leanChannel: socketChannel,
  baseline: rawSocketBaseline('tcp'),
  needs: ['raw-socket'],
});
