import { TransportChannel } from '../load/transport-channel.js';
import { oursStdioClient, oursStdioServerChannel, stdioMissing } from '../subjects/ours.js';
import { sdkStdioClient } from '../subjects/sdk.js';
import { benchCase, caseId } from './cases.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'stdio',
  title: 'Our stdio transports with a lean peer (vs the raw pipe limit)',
  inDefault: true,
  needs: ['raw-pipe'],
  cases: async () => {
    const missing = await stdioMissing();
    const common = /** @type {const} */ ({
      scenario: 'stdio',
      group: 'Our transports, lean peer',
      transport: 'stdio',
    });
    return [1, 64].flatMap((concurrency) => [
      benchCase({
        ...common,
        subject: 'ours-client',
        system: 'switchboard',
        label: 'our StdioClientTransport ⇄ raw echo child',
        concurrency,
        baseline: caseId('raw-pipe', 'pipe', concurrency),
        unavailable: missing,
        setup: async (_ctx, payloadBytes) =>
          new TransportChannel({ transport: await oursStdioClient('raw-echo-stdio.js'), payloadBytes }),
      }),
      benchCase({
        ...common,
        subject: 'ours-server',
        system: 'switchboard',
        label: 'lean client ⇄ echo on our StdioServerTransport',
        concurrency,
        baseline: caseId('raw-pipe', 'pipe', concurrency),
        unavailable: missing,
        setup: oursStdioServerChannel,
      }),
      benchCase({
        ...common,
        subject: 'sdk-v1-client',
        system: 'sdk',
        label: 'SDK v1 StdioClientTransport ⇄ raw echo child (reference)',
        concurrency,
        // The SDK transports are compared with the SDK Client in sdk-stdio; this raw reference runs when named.
        inDefault: false,
        baseline: caseId('raw-pipe', 'pipe', concurrency),
        setup: async (_ctx, payloadBytes) =>
          new TransportChannel({ transport: await sdkStdioClient(1, 'raw-echo-stdio.js'), payloadBytes }),
      }),
    ]);
  },
};
