import { LatencyHistogram } from './histogram.js';

/** Successful requests that end the warm-up (with at least `warmupMs` elapsed). */
const WARMUP_REQUESTS = 3000;
/** Or this much payload echoed (large payloads need no JIT warm-up, only a few round trips). */
const WARMUP_BYTES = 16 * 1024 * 1024;

/**
 * @typedef {object} DriveOptions
 * @property {number} concurrency - requests kept in flight (fixed-concurrency mode), or the cap on
 *   in-flight requests in fixed-rate mode
 * @property {number} payloadBytes - size of each request's payload (for the warm-up's byte budget)
 * @property {number} [rate] - fixed-rate mode: requests per second, latency measured from each
 *   request's scheduled time (so a stall counts against the system, not hidden by the generator)
 * @property {number} warmupMs - load before the first timed window, not recorded; the warm-up goes on
 *   until 3,000 requests (or 16 MiB of payload) succeeded, up to `maxWarmupMs`: heavier stacks (express,
 *   the SDK) need thousands of requests before their JIT settles, and a short warm-up would understate them
 * @property {number} [maxWarmupMs] - the longest warm-up (default 4000)
 * @property {number} windowMs - length of one timed window
 * @property {number} windows - how many consecutive timed windows
 * @property {number} [extraWindows] - up to this many more windows while the median window is below
 *   70 % of the best one (a burst of load from other processes on a shared machine; default 2)
 * @property {number} [stallMs] - a window with no response at all fails after this long (default 30 s)
 * @property {number} [drainMs] - how long to wait for in-flight requests at the end (default 10 s)
 *
 * @typedef {object} WindowResult
 * @property {number} count - successful responses in the window
 * @property {number} errors - failed responses in the window
 * @property {number} seconds - the window's actual length
 * @property {number} msgPerSec
 *
 * @typedef {object} DriveResult
 * @property {WindowResult[]} windows
 * @property {LatencyHistogram} latency - all timed windows merged
 * @property {string | undefined} firstError
 */

/**
 * Runs load through an opened channel: warm-up, then `windows` back-to-back timed windows. A response
 * counts in the window in which it arrives; each window ends on the first arrival after `windowMs`.
 * @param {import('./channel.js').Channel} channel
 * @param {DriveOptions} options
 * @returns {Promise<DriveResult>}
 */
export async function drive(channel, options) {
  const { concurrency, rate } = options;
  const stallMs = options.stallMs ?? 30_000;
  /** @type {Map<number, number>} id → start time (ms) */
  const started = new Map();
  let nextId = 1;
  let timed = false;
  let stopping = false;
  let window = newWindow();
  let warmupOk = 0;
  /** @type {string | undefined} */
  let firstError;
  /** @type {string | undefined} */
  let failure;
  /** @type {(() => void) | undefined} */
  let wake;
  /** The first response arriving at or after this time ends the open window (and opens the next). */
  let closeAfter = Infinity;
  /** @type {((at: number) => void) | undefined} */
  let onBoundary;

  const issue = (/** @type {number} */ at) => {
    const id = nextId++;
    started.set(id, at);
    channel.request(id);
  };
  channel.onfailure = (reason) => {
    failure ??= reason;
    wake?.();
  };
  channel.onresponse = (id, error) => {
    const t0 = started.get(id);
    if (t0 === undefined) return;
    started.delete(id);
    if (error !== undefined) firstError ??= error;
    const now = performance.now();
    if (timed) {
      if (error === undefined) {
        window.count++;
        window.latency.record(now - t0);
      } else window.errors++;
    } else if (error === undefined) warmupOk++;
    if (now >= closeAfter) onBoundary?.(now);
    wake?.();
    if (!stopping && rate === undefined) issue(performance.now());
  };

  /**
   * Waits for the first response at or after `after`: the boundary between two windows. Windows begin
   * and end on arrivals, so a window's rate is exact even with a handful of responses in it (an 8 MiB
   * echo at C=1 completes 3 or 4 times in a window; counting whole responses in a fixed span of time
   * would read 3 or 4 per window, a step of 25 %). The window is switched inside the response handler,
   * so a response of the same read lands in the window it belongs to.
   * @param {number} after
   * @returns {Promise<{ at: number, done: ReturnType<typeof newWindow> }>}
   */
  const boundary = (after) =>
    new Promise((resolve, reject) => {
      const fail = (/** @type {string} */ reason) => {
        clearTimeout(timer);
        onBoundary = undefined;
        wake = undefined;
        closeAfter = Infinity;
        reject(new Error(reason));
      };
      const timer = setTimeout(
        () => fail(`no response for ${stallMs} ms`),
        Math.max(0, after - performance.now()) + stallMs,
      );
      wake = () => {
        if (failure) fail(failure);
      };
      closeAfter = after;
      onBoundary = (at) => {
        clearTimeout(timer);
        onBoundary = undefined;
        wake = undefined;
        closeAfter = Infinity;
        const done = window;
        window = newWindow();
        timed = true;
        resolve({ at, done });
      };
    });

  /** @type {NodeJS.Timeout | undefined} */
  let pacer;
  if (rate === undefined) {
    for (let i = 0; i < concurrency; i++) issue(performance.now());
  } else {
    const t0 = performance.now();
    let issued = 0;
    pacer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) * rate) / 1000);
      while (issued < due && started.size < concurrency && !stopping) {
        issue(t0 + (issued * 1000) / rate);
        issued++;
      }
    }, 1);
  }

  try {
    await sleep(options.warmupMs);
    const warm = () => warmupOk >= WARMUP_REQUESTS || warmupOk * options.payloadBytes >= WARMUP_BYTES;
    const deadline = performance.now() + (options.maxWarmupMs ?? 4000) - options.warmupMs;
    const hopeless = () => warmupOk === 0 && firstError !== undefined;
    while (!warm() && !failure && !hopeless() && performance.now() < deadline) await sleep(50);
    if (failure) throw new Error(failure);
    if (warmupOk === 0 && firstError) throw new Error(firstError);
    /** @type {WindowResult[]} */
    const windows = [];
    const latency = new LatencyHistogram();
    const extra = options.extraWindows ?? 2;
    // The first window opens on the next arrival (that response still belongs to the warm-up).
    let start = (await boundary(performance.now())).at;
    for (let w = 0; w < options.windows || (w < options.windows + extra && disturbed(windows)); w++) {
      const { at, done } = await boundary(start + options.windowMs);
      const seconds = (at - start) / 1000;
      start = at;
      if (failure) throw new Error(failure);
      windows.push({ count: done.count, errors: done.errors, seconds, msgPerSec: done.count / seconds });
      latency.add(done.latency);
      if (done.count === 0) throw new Error(firstError ?? 'every request failed');
    }
    timed = false;
    return { windows, latency, firstError };
  } finally {
    stopping = true;
    timed = false;
    onBoundary = undefined;
    if (pacer) clearInterval(pacer);
    const deadline = Date.now() + (options.drainMs ?? 10_000);
    while (started.size > 0 && Date.now() < deadline && !failure) await sleep(10);
  }
}

/**
 * Whether the windows disagree so much that the median is likely inside a burst of outside load.
 * @param {WindowResult[]} windows
 */
function disturbed(windows) {
  // With a handful of responses per window (large payloads) the rates differ by quantisation alone.
  if (windows.some((w) => w.count < 20)) return false;
  const rates = windows.map((w) => w.msgPerSec).sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)] ?? 0;
  return median < 0.7 * (rates[rates.length - 1] ?? 0);
}

function newWindow() {
  return { count: 0, errors: 0, latency: new LatencyHistogram() };
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
