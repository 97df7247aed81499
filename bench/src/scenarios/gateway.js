import { HttpChannel } from '../load/http-channel.js';
import { cpuPerRequest } from '../load/cpu-cost.js';
import { NODE, serverScript } from '../subjects/paths.js';
import { gatewayServerFlags, serveMissing, startSwitchboard } from '../subjects/switchboard-serve.js';
import { benchCase, caseId } from './cases.js';

const SCENARIO = 'gateway';
const ECHO = `${NODE} ${serverScript('raw-echo-stdio.js')}`;
const GROUP = 'Gateway (raw echo backends over stdio, Streamable HTTP frontend, lean client)';

/**
 * The three subjects: plain `serve` with one backend, the gateway with two (calls alternate between
 * `a__echo` and `b__echo`), and the gateway with one (the router's own share).
 * @type {{ subject: string, label: string, extra: string[], tools: string[] }[]}
 */
const SUBJECTS = [
  {
    subject: 'serve-1-backend',
    label: 'serve: one stdio backend → Streamable HTTP',
    extra: [],
    tools: ['echo'],
  },
  {
    subject: 'gateway-2-backends',
    label: 'gateway: two stdio backends (a__echo, b__echo in turn) → Streamable HTTP',
    extra: gatewayServerFlags({ a: ECHO, b: ECHO }),
    tools: ['a__echo', 'b__echo'],
  },
  {
    subject: 'gateway-1-backend',
    label: 'gateway: one stdio backend (a__echo) → Streamable HTTP',
    extra: gatewayServerFlags({ a: ECHO }),
    tools: ['a__echo'],
  },
];

/**
 * Starts one subject and returns its unopened channel and its process id.
 * @param {import('../sys/case-context.js').CaseContext} ctx
 * @param {(typeof SUBJECTS)[number]} s
 * @param {number} payloadBytes
 */
async function start(ctx, s, payloadBytes) {
  const { url, process } = await startSwitchboard(ctx, {
    backend: s.extra.length === 0 ? { kind: 'stdio', script: 'raw-echo-stdio.js' } : { kind: 'none' },
    frontend: 'http',
    extra: s.extra,
  });
  if (!url || !process) throw new Error('switchboard returned no URL');
  return {
    channel: new HttpChannel({ url, payloadBytes, connections: 64, tools: s.tools }),
    pid: process.pid,
  };
}

/**
 * The gateway's cost: `switchboard serve` with `servers:` against plain `serve`, same run, C=64: msg/s
 * of each subject in its own windows (noisy on a shared machine: the subjects run minutes apart), and
 * round-robin bursts of 20,000 requests over the three subjects, five rounds, giving the CPU
 * microseconds per request of the switchboard process (nearly independent of other load) and msg/s
 * compared round by round (the three subjects meet the same load).
 * @type {import('./cases.js').Scenario}
 */
export default {
  name: SCENARIO,
  title: 'Gateway (`serve` with servers:): two backends vs plain `serve` with one',
  inDefault: true,
  cases: async () => {
    const unavailable = await serveMissing();
    const plain = caseId(SCENARIO, 'serve-1-backend', 64);
    const throughput = SUBJECTS.map((s) =>
      benchCase({
        scenario: SCENARIO,
        subject: s.subject,
        group: GROUP,
        system: 'switchboard',
        label: s.label,
        transport: 'Streamable HTTP',
        concurrency: 64,
        baseline: s.subject === 'serve-1-backend' ? undefined : plain,
        unavailable,
        setup: async (ctx, payloadBytes) => (await start(ctx, s, payloadBytes)).channel,
      }),
    );
    const cpu = benchCase({
      scenario: SCENARIO,
      subject: 'cpu-per-request',
      group: GROUP,
      system: 'switchboard',
      label:
        'CPU µs per request of the switchboard process: serve (1 backend) vs gateway (2, and 1), round-robin',
      transport: 'Streamable HTTP',
      concurrency: 64,
      unavailable,
      measure: async (ctx) => {
        const started = [];
        for (const s of SUBJECTS) {
          const { channel, pid } = await start(ctx, s, 16);
          await channel.open();
          ctx.defer(() => channel.close());
          started.push({
            subject: s.subject,
            channel,
            pid,
            samples: /** @type {number[]} */ ([]),
            rates: /** @type {number[]} */ ([]),
          });
        }
        for (let round = 0; round < 5; round++) {
          for (const s of started) {
            const sample = await cpuPerRequest(s.channel, s.pid, {
              warmup: 3000,
              count: 20_000,
              concurrency: 64,
            });
            s.samples.push(sample.cpuMicros);
            s.rates.push(sample.msgPerSec);
          }
        }
        /** @param {number[]} v */
        const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
        const serve = started[0];
        const serveUs = median(serve?.samples ?? []);
        return Object.fromEntries(
          started.map((s) => [
            s.subject,
            {
              cpuMicrosPerRequest: Math.round(median(s.samples) * 10) / 10,
              samples: s.samples.map((v) => Math.round(v * 10) / 10),
              vsServe: Math.round((median(s.samples) / serveUs) * 1000) / 1000,
              // msg/s of each round-robin burst, and its ratio to serve's burst of the same round.
              msgPerSec: Math.round(median(s.rates)),
              msgPerSecVsServe:
                Math.round(median(s.rates.map((rate, i) => rate / (serve?.rates[i] ?? NaN))) * 1000) / 1000,
            },
          ]),
        );
      },
    });
    return [...throughput, cpu];
  },
};
