import { HttpChannel } from '../load/http-channel.js';
import { Http1Pool } from '../load/http1-pool.js';
import { startRawServer } from '../subjects/raw.js';
import { serveMissing, startSwitchboard } from '../subjects/switchboard-serve.js';
import { benchCase } from './cases.js';

/** How many idle sessions are opened. */
const SESSIONS = 1000;
/** Sessions opened at once (and connections of the shared pool). */
const PARALLEL = 16;
/** The flag that puts our proxy in shared mode (one backend for all sessions). */
const SHARED_MODE_ARGS = ['--session-mode', 'shared'];

/**
 * Opens `count` MCP sessions (initialize + initialized, then idle) against an HTTP endpoint and keeps
 * them open; returns how long opening took. The sessions are deleted at clean-up.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {string} url
 * @param {number} count
 */
async function openIdleSessions(ctx, url, count) {
  const pool = new Http1Pool(new URL(url), PARALLEL);
  ctx.defer(() => pool.destroy());
  /** @type {HttpChannel[]} */
  const channels = [];
  ctx.defer(() => Promise.allSettled(channels.map((c) => c.close())));
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const channel = new HttpChannel({ url, payloadBytes: 16, pool });
      await channel.open();
      channels.push(channel);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const openSeconds = (performance.now() - t0) / 1000;
  const distinct = new Set(channels.map((c) => c.sessionId)).size;
  // Idle for a moment so the sampler sees the settled footprint.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return {
    sessions: channels.length,
    distinctSessionIds: distinct,
    openSeconds: Math.round(openSeconds * 100) / 100,
  };
}

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'sessions',
  title: `RSS with ${SESSIONS} idle Streamable HTTP sessions`,
  inDefault: true,
  cases: async () => {
    const common = {
      scenario: 'sessions',
      group: 'Idle sessions',
      transport: 'Streamable HTTP',
      concurrency: PARALLEL,
    };
    return [
      benchCase({
        ...common,
        subject: 'raw-http',
        system: 'raw',
        label: `${SESSIONS} sessions on the node:http echo (the floor: a session id in a Set)`,
        measure: async (ctx) => openIdleSessions(ctx, await startRawServer(ctx, 'http-json'), SESSIONS),
      }),
      benchCase({
        ...common,
        subject: 'switchboard-shared',
        system: 'switchboard',
        label: `${SESSIONS} sessions on our proxy in shared mode (stdio backend)`,
        unavailable: await serveMissing(),
        measure: async (ctx) => {
          const { url } = await startSwitchboard(ctx, {
            backend: { kind: 'stdio', script: 'raw-echo-stdio.js' },
            frontend: 'http',
            extra: SHARED_MODE_ARGS,
          });
          if (!url) throw new Error('switchboard returned no URL');
          return openIdleSessions(ctx, url, SESSIONS);
        },
      }),
    ];
  },
};
