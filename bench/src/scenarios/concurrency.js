import { CONCURRENCIES } from './cases.js';
import { sweepCases } from './sweep-subjects.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'concurrency',
  title: 'Concurrency sweep (1 / 16 / 64 / 256 in flight), 16 B payload',
  inDefault: false,
  cases: async () =>
    (
      await Promise.all(
        CONCURRENCIES.map((concurrency) =>
          sweepCases({
            scenario: 'concurrency',
            group: 'Concurrency sweep, 16 B',
            concurrency,
            payloadBytes: 16,
          }),
        ),
      )
    ).flat(),
};
