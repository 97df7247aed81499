import { rawStdioChannel } from '../subjects/raw.js';
import { benchCase } from './cases.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'raw-pipe',
  title: "Raw NDJSON round trips over a child's pipes (no SDK): the stdio limit",
  inDefault: true,
  cases: async () =>
    [1, 64].map((concurrency) =>
      benchCase({
        scenario: 'raw-pipe',
        subject: 'pipe',
        group: 'Raw limits',
        system: 'raw',
        label: 'lean client ⇄ raw echo child',
        transport: 'stdio pipes',
        concurrency,
        setup: rawStdioChannel,
      }),
    ),
};
