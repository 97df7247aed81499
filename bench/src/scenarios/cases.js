/**
 * The shape of a benchmark case and the helpers scenarios build them with.
 *
 * @typedef {object} BenchCase
 * @property {string} id - unique and stable across runs: "<scenario>/<subject>/c<C>[/<size>]"
 * @property {string} scenario
 * @property {string} group - report section
 * @property {'raw' | 'switchboard' | 'sdk' | 'supergateway' | 'mcp-proxy'} system - whose code is measured
 * @property {string} label - what runs, in words
 * @property {string} transport - what the load generator speaks to the subject
 * @property {number} concurrency - requests in flight
 * @property {number} payloadBytes - size of the echoed text
 * @property {number} [connections] - HTTP connections, when not equal to the concurrency
 * @property {string | string[]} [baseline] - case id(s) this one is compared with (the best of them)
 * @property {number} [windowScale] - multiplies the window length (short windows for slow, steady cases)
 * @property {string} [unavailable] - why the subject cannot run yet; the case is reported, not run
 * @property {boolean} [inDefault] - false: skipped by the default run (`npm run bench` without
 *   arguments, which must stay within 5 minutes), run when its scenario is named
 * @property {(ctx: import('../sys/case-context.js').CaseContext, payloadBytes: number) =>
 *   import('../load/channel.js').Channel | Promise<import('../load/channel.js').Channel>} [setup] -
 *   starts the subject and returns an unopened channel to it (throughput cases)
 * @property {(ctx: import('../sys/case-context.js').CaseContext) => Promise<Record<string, unknown>>} [measure] -
 *   a custom measurement instead of the throughput driver
 *
 * @typedef {object} Scenario
 * @property {string} name - what `npm run bench -- <name>` selects
 * @property {string} title
 * @property {boolean} inDefault - part of `npm run bench` without arguments
 * @property {string[]} [needs] - scenarios whose cases this one's baselines refer to
 * @property {() => Promise<BenchCase[]>} cases
 */

/** Payload sizes of the sweep, in bytes. */
export const PAYLOADS = [16, 1024, 64 * 1024, 1024 * 1024, 8 * 1024 * 1024];
/** Concurrency levels of the sweep. */
export const CONCURRENCIES = [1, 16, 64, 256];

/**
 * @param {number} bytes
 * @returns {string} "16 B", "1 KiB", "64 KiB", "1 MiB", "8 MiB"
 */
export function sizeLabel(bytes) {
  if (bytes >= 1024 * 1024) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/**
 * The id of a case (see {@link BenchCase.id}); the size appears only when it is not 16 B.
 * @param {string} scenario
 * @param {string} subject
 * @param {number} concurrency
 * @param {number} [payloadBytes]
 */
export function caseId(scenario, subject, concurrency, payloadBytes = 16) {
  const size = payloadBytes === 16 ? '' : `/${sizeLabel(payloadBytes).replace(' ', '')}`;
  return `${scenario}/${subject}/c${concurrency}${size}`;
}

/**
 * Builds a case, deriving its id from scenario, subject, concurrency and payload.
 * @param {Omit<BenchCase, 'id' | 'payloadBytes'> & { subject: string, payloadBytes?: number }} spec
 * @returns {BenchCase}
 */
export function benchCase(spec) {
  const { subject, ...rest } = spec;
  const payloadBytes = spec.payloadBytes ?? 16;
  return { ...rest, payloadBytes, id: caseId(spec.scenario, subject, spec.concurrency, payloadBytes) };
}
