import { SdkClientChannel } from '../load/sdk-client-channel.js';
import { connectMissing } from '../subjects/our-capabilities.js';
import { oursClient } from '../subjects/ours.js';
import { startRawServer } from '../subjects/raw.js';
import { sdkClient, sdkHttpClient } from '../subjects/sdk.js';
import { benchCase, caseId } from './cases.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'sdk-http',
  title: 'SDK v1 Client over our Streamable HTTP client transport vs the SDK’s own, same server',
  inDefault: true,
  cases: async () => {
    const missing = await connectMissing('http://127.0.0.1:1/mcp');
    return [1, 64].flatMap((concurrency) => {
      const common = {
        scenario: 'sdk-http',
        group: 'SDK Client end to end',
        transport: 'Streamable HTTP',
        concurrency,
      };
      return [
        benchCase({
          ...common,
          subject: 'v1-raw-http-ours',
          system: 'switchboard',
          label: 'SDK v1 Client + our http: client transport ⇄ node:http echo',
          baseline: caseId('sdk-http', 'v1-raw-http-sdk-transport', concurrency),
          unavailable: missing,
          setup: async (ctx, payloadBytes) =>
            new SdkClientChannel({
              client: await sdkClient(1),
              transport: await oursClient(await startRawServer(ctx, 'http-json')),
              payloadBytes,
            }),
        }),
        benchCase({
          ...common,
          subject: 'v1-raw-http-sdk-transport',
          system: 'sdk',
          label: 'SDK v1 Client + SDK StreamableHTTPClientTransport ⇄ node:http echo',
          setup: async (ctx, payloadBytes) =>
            new SdkClientChannel({
              client: await sdkClient(1),
              transport: await sdkHttpClient(1, await startRawServer(ctx, 'http-json')),
              payloadBytes,
            }),
        }),
      ];
    });
  },
};
