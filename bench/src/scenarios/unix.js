import { socketChannel } from '../subjects/raw.js';
import { tempSocketPath } from '../sys/net-helpers.js';
import { rawSocketBaseline, transportScenario } from './transport-scenario.js';

export default transportScenario({
  name: 'unix',
  transport: 'Unix socket',
  client: { probeUri: 'unix:///tmp/sb-bench-probe.sock', rawKind: 'unix' },
  servers: [
    {
      subject: 'ours-server',
      label: 'lean client ⇄ echo on our Unix socket listener',
      // The listener removes its socket file on close; the path is fresh for every case.
      listenUri: () => `unix://${tempSocketPath().path}`,
    },
  ],
  leanChannel: socketChannel,
  baseline: rawSocketBaseline('unix'),
  needs: ['raw-socket'],
});
