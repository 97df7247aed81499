import { loadavg } from 'node:os';
import { median as exactMedian } from './lib/stats.js';
import { drive } from './load/driver.js';
import { CaseContext } from './sys/case-context.js';
import { RssSampler } from './sys/rss-sampler.js';

/**
 * @typedef {object} SuiteOptions
 * @property {number} runs - timed windows per case (the median is quoted)
 * @property {number} warmupMs
 * @property {number} windowMs
 * @property {number} [rate] - fixed-rate mode (requests/s) instead of fixed concurrency
 *
 * @typedef {object} CaseResult
 * @property {string} id
 * @property {string} scenario
 * @property {string} group
 * @property {string} system
 * @property {string} label
 * @property {string} transport
 * @property {number} concurrency
 * @property {number} payloadBytes
 * @property {number} [connections]
 * @property {string | string[]} [baseline]
 * @property {'ok' | 'failed' | 'unavailable'} status
 * @property {string} [reason]
 * @property {{ median: number, min: number, max: number, runs: number[] }} [msgPerSec]
 * @property {number} [mbPerSec] - payload bytes echoed per second (median), in MB (10^6 B)
 * @property {ReturnType<import('./load/histogram.js').LatencyHistogram['summary']>} [latencyMs]
 * @property {number} [requests]
 * @property {number} [errors]
 * @property {string} [firstError]
 * @property {ReturnType<RssSampler['stop']>} [rss]
 * @property {Record<string, unknown>} [measured] - the output of a custom measurement
 * @property {number} seconds - wall time of the case
 * @property {number} [loadAverage] - the machine's 1-minute load average when the case started (noise hint)
 */

const SETUP_TIMEOUT_MS = 30_000;

/**
 * Runs one case: starts its subject, opens the channel (handshake outside the timed loop), drives
 * the load, samples memory, and stops everything it started, whatever happens.
 * @param {import('./scenarios/cases.js').BenchCase} c
 * @param {SuiteOptions} options
 * @returns {Promise<CaseResult>}
 */
export async function runCase(c, options) {
  const t0 = performance.now();
  const { setup: _s, measure: _m, unavailable, windowScale: _w, inDefault: _d, ...rest } = c;
  const meta = { ...rest, loadAverage: Math.round((loadavg()[0] ?? 0) * 10) / 10 };
  const seconds = () => Math.round((performance.now() - t0) / 10) / 100;
  if (unavailable) return { ...meta, status: 'unavailable', reason: unavailable, seconds: 0 };

  const rss = new RssSampler();
  const ctx = new CaseContext(rss);
  /** @type {import('./load/channel.js').Channel | undefined} */
  let channel;
  try {
    if (c.measure) {
      rss.start();
      const measured = await c.measure(ctx);
      return { ...meta, status: 'ok', measured, rss: rss.stop(), seconds: seconds() };
    }
    if (!c.setup) throw new Error('a case needs setup or measure');
    channel = await withTimeout(Promise.resolve(c.setup(ctx, c.payloadBytes)), 'start');
    await withTimeout(channel.open(), 'handshake');
    const pid = /** @type {any} */ (channel).childPid;
    if (typeof pid === 'number') ctx.adopt('backend child', pid);
    rss.start();
    const out = await drive(channel, {
      concurrency: c.concurrency,
      payloadBytes: c.payloadBytes,
      rate: options.rate,
      warmupMs: options.warmupMs,
      windowMs: Math.round(options.windowMs * (c.windowScale ?? 1)),
      windows: options.runs,
    });
    const runs = out.windows.map((w) => roundRate(w.msgPerSec));
    const median = medianOf(runs);
    return {
      ...meta,
      status: 'ok',
      msgPerSec: { median, min: Math.min(...runs), max: Math.max(...runs), runs },
      mbPerSec: Math.round((median * c.payloadBytes) / 1e4) / 100,
      latencyMs: out.latency.summary(),
      requests: out.windows.reduce((n, w) => n + w.count, 0),
      errors: out.windows.reduce((n, w) => n + w.errors, 0),
      firstError: out.firstError,
      rss: rss.stop(),
      seconds: seconds(),
    };
  } catch (error) {
    const tails = ctx.stderrTails();
    const reason = `${error instanceof Error ? error.message : String(error)}${tails ? `\n${tails}` : ''}`;
    return { ...meta, status: 'failed', reason, rss: rss.stop(), seconds: seconds() };
  } finally {
    await channel?.close().catch(() => undefined);
    await ctx.cleanup();
  }
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {string} what
 * @returns {Promise<T>}
 */
function withTimeout(promise, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${SETUP_TIMEOUT_MS} ms`)),
      SETUP_TIMEOUT_MS,
    );
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout]).finally(() => clearTimeout(timer)));
}

/**
 * A rate rounded for the report: whole msg/s, two decimals below 100 (the few responses a second of
 * large payloads).
 * @param {number} n
 */
function roundRate(n) {
  return n >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

/**
 * The median (the mean of the two middle values for an even count).
 * @param {number[]} values
 */
export function medianOf(values) {
  const m = exactMedian(values);
  return values.length % 2 === 1 ? m : roundRate(m);
}
