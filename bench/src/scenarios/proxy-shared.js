import { proxyCase } from './proxy-cases.js';

/** The flag that puts our proxy in shared mode (one backend for all sessions). */
const SHARED_MODE_ARGS = ['--session-mode', 'shared'];

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'proxy-shared',
  title: 'Our proxy in shared mode (`--session-mode shared`): stdio backend → HTTP and TCP frontends',
  inDefault: false,
  needs: ['raw-http', 'raw-socket'],
  cases: async () =>
    Promise.all(
      /** @type {const} */ (['http', 'tcp']).map((frontend) =>
        proxyCase({
          scenario: 'proxy-shared',
          system: 'switchboard',
          frontend,
          concurrency: 64,
          group: 'Proxy in shared mode (raw echo backend, lean client)',
          extraArgs: SHARED_MODE_ARGS,
        }),
      ),
    ),
};
