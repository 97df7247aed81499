import { PAYLOADS } from './cases.js';
import { sweepCases } from './sweep-subjects.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'payload',
  title: 'Payload sweep (16 B … 8 MiB echoed both ways) at C=1',
  inDefault: true,
  cases: async () =>
    (
      await Promise.all(
        PAYLOADS.map((payloadBytes) =>
          sweepCases({
            scenario: 'payload',
            group: 'Payload sweep, C=1',
            concurrency: 1,
            payloadBytes,
            // Short windows, but an 8 MiB echo completes only a few times a second: 1 s windows there,
            // so the median window averages several round trips.
            windowScale: payloadBytes >= 8 * 1024 * 1024 ? 2 : 0.5,
            // The default run (≤ 5 min) keeps 64 KiB, 1 MiB and 8 MiB; 16 B and 1 KiB at C=1 are close to
            // the C=1 cases of the other scenarios. All sizes run when the scenario is named.
            inDefault: payloadBytes >= 64 * 1024,
          }),
        ),
      )
    ).flat(),
};
