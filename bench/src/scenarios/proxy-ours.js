import { FRONTENDS, proxyCase } from './proxy-cases.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'proxy-ours',
  title: 'Our proxy (`switchboard serve`): stdio backend → every frontend, HTTP backend → stdio',
  inDefault: true,
  needs: ['raw-http', 'raw-legacy-sse', 'raw-socket', 'raw-ws', 'raw-pipe'],
  cases: async () =>
    Promise.all(
      FRONTENDS.switchboard.flatMap((frontend) =>
        [1, 64].map((concurrency) =>
          proxyCase({
            scenario: 'proxy-ours',
            system: 'switchboard',
            frontend,
            concurrency,
            // The default run keeps C=1 only where a target or a peer comparison needs it.
            inDefault: concurrency !== 1 || frontend === 'http' || frontend === 'stdio',
          }),
        ),
      ),
    ),
};
