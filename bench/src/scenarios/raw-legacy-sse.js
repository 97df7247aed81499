import { LegacySseChannel } from '../load/legacy-sse-channel.js';
import { startRawServer } from '../subjects/raw.js';
import { benchCase } from './cases.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'raw-legacy-sse',
  title: 'Raw legacy HTTP+SSE echo on node:http (no SDK): the legacy SSE limit',
  inDefault: true,
  cases: async () =>
    [1, 64].map((concurrency) =>
      benchCase({
        scenario: 'raw-legacy-sse',
        subject: 'sse',
        group: 'Raw limits',
        system: 'raw',
        label: `GET stream + undici POSTs (${concurrency} conn) ⇄ node:http echo`,
        transport: 'legacy HTTP+SSE',
        concurrency,
        setup: async (ctx, payloadBytes) =>
          new LegacySseChannel({
            url: await startRawServer(ctx, 'legacy-sse'),
            payloadBytes,
            connections: concurrency,
          }),
      }),
    ),
};
