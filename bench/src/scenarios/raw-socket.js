import { socketChannel, startRawServer } from '../subjects/raw.js';
import { benchCase } from './cases.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'raw-socket',
  title: 'Raw NDJSON round trips over TCP and Unix sockets (no SDK): the socket limits',
  inDefault: true,
  cases: async () =>
    /** @type {const} */ (['tcp', 'unix']).flatMap((kind) =>
      [1, 64].map((concurrency) =>
        benchCase({
          scenario: 'raw-socket',
          subject: kind,
          group: 'Raw limits',
          system: 'raw',
          label: `lean client ⇄ raw echo (${kind})`,
          transport: kind,
          concurrency,
          inDefault: concurrency !== 1,
          setup: async (ctx, payloadBytes) => socketChannel(await startRawServer(ctx, kind), payloadBytes),
        }),
      ),
    ),
};
