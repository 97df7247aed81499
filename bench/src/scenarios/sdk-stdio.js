import { pairedBursts } from '../load/paired-bursts.js';
import { SdkClientChannel } from '../load/sdk-client-channel.js';
import { oursStdioClient, stdioMissing } from '../subjects/ours.js';
import { sdkClient, sdkStdioClient } from '../subjects/sdk.js';
import { benchCase, caseId } from './cases.js';

const SERVERS = /** @type {const} */ ({
  'raw-echo': { script: 'raw-echo-stdio.js', words: 'raw echo child' },
  'sdk-server': { script: 'sdk-echo-server.js', words: 'SDK v1 McpServer child' },
});

/**
 * Which (SDK major, server, concurrency) combinations run: both SDKs on both servers at C=64, and
 * sequential latency (C=1) on the raw echo.
 */
const COMBINATIONS = /** @type {const} */ ([
  [1, 'raw-echo', 1],
  [1, 'raw-echo', 64],
  [1, 'sdk-server', 64],
  [2, 'raw-echo', 1],
  [2, 'raw-echo', 64],
  [2, 'sdk-server', 64],
]);

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'sdk-stdio',
  title: 'SDK Client (v1, v2) over our StdioClientTransport vs the SDK’s own, same server',
  inDefault: true,
  cases: async () => {
    const missing = await stdioMissing();
    return COMBINATIONS.flatMap(([major, server, concurrency]) => {
      const common = {
        scenario: 'sdk-stdio',
        group: 'SDK Client end to end',
        transport: 'stdio',
        concurrency,
      };
      const { script, words } = SERVERS[server];
      const sdkSubject = `v${major}-${server}-sdk-transport`;
      /** @param {'ours' | 'sdk'} which */
      const channel = async (which) =>
        new SdkClientChannel({
          client: await sdkClient(major),
          transport: which === 'ours' ? await oursStdioClient(script) : await sdkStdioClient(major, script),
          payloadBytes: 16,
        });
      return [
        benchCase({
          ...common,
          subject: `v${major}-${server}-ours`,
          system: 'switchboard',
          label: `SDK v${major} Client + our StdioClientTransport ⇄ ${words}`,
          baseline: caseId('sdk-stdio', sdkSubject, concurrency),
          unavailable: missing,
          setup: async (_ctx, payloadBytes) =>
            new SdkClientChannel({
              client: await sdkClient(major),
              transport: await oursStdioClient(script),
              payloadBytes,
            }),
        }),
        benchCase({
          ...common,
          subject: sdkSubject,
          system: 'sdk',
          label: `SDK v${major} Client + SDK StdioClientTransport ⇄ ${words}`,
          setup: async (_ctx, payloadBytes) =>
            new SdkClientChannel({
              client: await sdkClient(major),
              transport: await sdkStdioClient(major, script),
              payloadBytes,
            }),
        }),
        // The two above in alternating bursts, round after round: the ratio that judges the target.
        benchCase({
          ...common,
          group: 'SDK Client end to end: our transport and the SDK’s in alternating bursts',
          subject: `v${major}-${server}-paired`,
          system: 'switchboard',
          label: `SDK v${major} Client ⇄ ${words}: our transport and the SDK's in alternating bursts`,
          unavailable: missing,
          measure: async (ctx) => {
            const ours = await channel('ours');
            ctx.defer(() => ours.close());
            await ours.open();
            const theirs = await channel('sdk');
            ctx.defer(() => theirs.close());
            await theirs.open();
            return pairedBursts({ ours, theirs }, { concurrency });
          },
        }),
      ];
    });
  },
};
