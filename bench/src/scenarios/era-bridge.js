import { pairedBursts } from '../load/paired-bursts.js';
import { startSwitchboard, serveMissing } from '../subjects/switchboard-serve.js';
import { benchCase, caseId } from './cases.js';
import { leanChannel } from './proxy-cases.js';

/** The frontends measured: a socket and Streamable HTTP (JSON answers). */
const FRONTENDS = /** @type {const} */ (['tcp', 'http']);
const WORDS = { tcp: 'TCP', http: 'Streamable HTTP' };

/** The same lean 2025 client through `serve` to a 2025 backend (relay) or a 2026-07-28-only one (bridge). */
const BACKENDS = /** @type {const} */ ({
  2025: { script: 'raw-echo-stdio.js', what: '2025 raw echo (frame relay)' },
  2026: { script: 'raw-echo-modern-stdio.js', what: '2026-07-28-only raw echo (era bridge)' },
});

/** @param {'2025' | '2026'} era @param {'tcp' | 'http'} frontend */
const subject = (era, frontend) => `switchboard-${era}-stdio-to-${frontend}`;

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'era-bridge',
  title:
    'Era bridge: a 2025 client through `serve` to a 2026-07-28-only backend vs the same client relayed to a 2025 backend',
  inDefault: false,
  cases: async () => {
    const missing = await serveMissing();
    /**
     * A lean channel through a `serve` of `era`'s backend (not opened), and the pid of that `serve`.
     * @param {import('../sys/case-context.js').CaseContext} ctx @param {'2025' | '2026'} era
     * @param {'tcp' | 'http'} frontend @param {number} payloadBytes @param {number} concurrency
     */
    const started = async (ctx, era, frontend, payloadBytes, concurrency) => {
      const { url, process } = await startSwitchboard(ctx, {
        backend: { kind: 'stdio', script: BACKENDS[era].script },
        frontend,
      });
      if (!url) throw new Error('switchboard returned no URL');
      return {
        channel: await leanChannel(frontend, url, payloadBytes, concurrency),
        pid: process?.child.pid,
      };
    };
    /**
     * The same, opened, for the paired cases, with the pid of its `serve`.
     * @param {import('../sys/case-context.js').CaseContext} ctx @param {'2025' | '2026'} era @param {'tcp' | 'http'} frontend
     */
    const opened = async (ctx, era, frontend) => {
      const { channel, pid } = await started(ctx, era, frontend, 16, 64);
      ctx.defer(() => channel.close());
      await channel.open();
      if (pid === undefined) throw new Error('switchboard started no process');
      return { channel, pid };
    };
    // The two C=64 cases in alternating bursts, round after round: the ratio that judges the target
    // (their own windows, minutes apart, move by more than the difference it has to resolve).
    const paired = FRONTENDS.map((frontend) =>
      benchCase({
        scenario: 'era-bridge',
        subject: `bridge-vs-relay-${frontend}-paired`,
        group: 'Era bridge: the bridge and the relay in alternating bursts',
        system: 'switchboard',
        label: `switchboard: era bridge vs frame relay in alternating bursts → ${WORDS[frontend]} frontend`,
        transport: WORDS[frontend],
        concurrency: 64,
        unavailable: missing,
        measure: async (ctx) => {
          const ours = await opened(ctx, '2026', frontend);
          const theirs = await opened(ctx, '2025', frontend);
          return pairedBursts(
            { ours: ours.channel, theirs: theirs.channel },
            { concurrency: 64, rounds: 8, pids: { ours: ours.pid, theirs: theirs.pid } },
          );
        },
      }),
    );
    return FRONTENDS.flatMap((frontend) =>
      [1, 64].flatMap((concurrency) =>
        /** @type {const} */ (['2025', '2026']).map((era) =>
          benchCase({
            scenario: 'era-bridge',
            subject: subject(era, frontend),
            group: 'Era bridge (raw echo backends, lean 2025 client)',
            system: 'switchboard',
            label: `switchboard: ${BACKENDS[era].what} → ${WORDS[frontend]} frontend`,
            transport: WORDS[frontend],
            concurrency,
            baseline:
              era === '2026' ? caseId('era-bridge', subject('2025', frontend), concurrency) : undefined,
            unavailable: missing,
            setup: async (ctx, payloadBytes) =>
              (await started(ctx, era, frontend, payloadBytes, concurrency)).channel,
          }),
        ),
      ),
    ).concat(paired);
  },
};
