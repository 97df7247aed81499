/**
 * Two subjects measured side by side: timed bursts of load on one channel, then on the other, round
 * after round (the order swapped every round), so that a drift of the machine's load meets both
 * alike. Each round gives a ratio of the two bursts' rates; the median of those ratios judges the
 * pair. Rates of subjects measured minutes apart in their own windows move by ±10 % on a shared
 * 2-core machine, more than the differences a ≥ 1.0× target has to resolve.
 */

import { childPids } from '../lib/child-processes.js';
import { median } from '../lib/stats.js';
import { cpuSeconds, cpuSecondsOf } from './cpu-cost.js';

/**
 * CPU seconds of a process and, separately, of its children (a proxy and its backend), read from /proc.
 * @param {number} pid
 */
function processCpu(pid) {
  return { own: cpuSeconds(pid), children: cpuSecondsOf(childPids(pid)) };
}

/**
 * Keeps `concurrency` requests in flight for `ms` milliseconds, then lets the last ones finish.
 * @param {import('./channel.js').Channel} channel - opened
 * @param {{ ms: number, concurrency: number, firstId: number }} options
 * @returns {Promise<{ answered: number, seconds: number, cpuMicros: number }>} requests answered, their
 *   wall time, and the CPU time this process spent per request (it hosts in-process subjects)
 */
export function timedBurst(channel, { ms, concurrency, firstId }) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + ms;
    let open = true;
    const finish = () => {
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      resolve({ answered, seconds, cpuMicros: (cpu.user + cpu.system) / Math.max(1, answered) });
    };
    channel.onresponse = (_id, error) => {
      if (error) {
        reject(new Error(error));
        return;
      }
      answered++;
      if (open && performance.now() >= deadline) open = false;
      if (open) channel.request(firstId + sent++);
      else if (answered === sent) finish();
    };
    channel.onfailure = (reason) => reject(new Error(reason));
    for (let i = 0; i < concurrency; i++) channel.request(firstId + sent++);
  });
}

/**
 * Warms both channels up, then measures `rounds` rounds of one burst each.
 * @param {{ ours: import('./channel.js').Channel, theirs: import('./channel.js').Channel }} channels -
 *   opened
 * @param {{ concurrency: number, rounds?: number, burstMs?: number, warmup?: number,
 *   pids?: { ours: number, theirs: number } }} options - `pids`: a server process of each subject (a
 *   proxy), whose CPU time and its children's (the backend) is counted over all timed bursts
 * @returns {Promise<Record<string, unknown>>} per subject the median msg/s (min, max) and CPU µs per
 *   request of this process (and, with `pids`, of that process and of its children: total CPU of the
 *   timed bursts over their requests, as /proc counts in 10 ms ticks); `ratio`, the median of the
 *   rounds' ours/theirs ratios, and every ratio
 */
export async function pairedBursts(
  channels,
  { concurrency, rounds = 6, burstMs = 300, warmup = 3000, pids },
) {
  const subjects = /** @type {const} */ (['ours', 'theirs']);
  /** @typedef {{ nextId: number, rates: number[], cpu: number[], answered: number, own: number, children: number }} SubjectState */
  /** @type {() => SubjectState} */
  const fresh = () => ({ nextId: 1, rates: [], cpu: [], answered: 0, own: 0, children: 0 });
  /** @type {Record<'ours' | 'theirs', SubjectState>} */
  const state = { ours: fresh(), theirs: fresh() };
  // Warm-up: a few thousand requests, then one untimed burst each (JIT settled, pools grown).
  for (const s of subjects) {
    const r = await timedBurst(channels[s], { ms: 1, concurrency, firstId: state[s].nextId });
    state[s].nextId += r.answered;
    let done = r.answered;
    while (done < warmup) {
      const w = await timedBurst(channels[s], { ms: 100, concurrency, firstId: state[s].nextId });
      state[s].nextId += w.answered;
      done += w.answered;
    }
  }
  /** @type {number[]} */
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) {
      const before = pids ? processCpu(pids[s]) : undefined;
      const r = await timedBurst(channels[s], { ms: burstMs, concurrency, firstId: state[s].nextId });
      if (pids && before) {
        const after = processCpu(pids[s]);
        state[s].own += after.own - before.own;
        state[s].children += after.children - before.children;
      }
      state[s].answered += r.answered;
      state[s].nextId += r.answered;
      state[s].rates.push(r.answered / r.seconds);
      state[s].cpu.push(r.cpuMicros);
    }
    ratios.push((state.ours.rates[round] ?? NaN) / (state.theirs.rates[round] ?? NaN));
  }
  /** @param {'ours' | 'theirs'} s */
  const summary = (s) => ({
    msgPerSec: Math.round(median(state[s].rates)),
    min: Math.round(Math.min(...state[s].rates)),
    max: Math.round(Math.max(...state[s].rates)),
    cpuMicrosPerRequest: Math.round(median(state[s].cpu) * 10) / 10,
    ...(pids && {
      serverCpuMicrosPerRequest: Math.round((state[s].own / state[s].answered) * 1e7) / 10,
      childrenCpuMicrosPerRequest: Math.round((state[s].children / state[s].answered) * 1e7) / 10,
    }),
  });
  return {
    ours: summary('ours'),
    theirs: summary('theirs'),
    ratio: Math.round(median(ratios) * 1000) / 1000,
    ratios: ratios.map((r) => Math.round(r * 1000) / 1000),
    rounds,
    burstMs,
  };
}
