import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat.
 * @param {number} pid
 */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/**
 * CPU time (user + system) several processes have used so far, in seconds, summed.
 * @param {number[]} pids
 */
export function cpuSecondsOf(pids) {
  return pids.reduce((n, p) => n + cpuSeconds(p), 0);
}

/**
 * Sends `count` requests through an opened channel, `concurrency` in flight, and resolves when all
 * were answered; rejects on the first error.
 * @param {import('./channel.js').Channel} channel
 * @param {{ count: number, concurrency: number, firstId: number }} options
 * @returns {Promise<void>}
 */
export function sendAll(channel, { count, concurrency, firstId }) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    const next = () => {
      if (sent >= count) return;
      channel.request(firstId + sent++);
    };
    channel.onresponse = (_id, error) => {
      if (error) return reject(new Error(error));
      if (++answered === count) return resolve();
      next();
    };
    channel.onfailure = (reason) => reject(new Error(reason));
    for (let i = 0; i < concurrency; i++) next();
  });
}

/**
 * The CPU cost of one request in a process, measured over `count` requests after a warm-up (CPU time
 * used is nearly independent of other load on the machine, unlike msg/s), and the throughput of
 * that same burst (comparable between subjects measured in turn, round-robin, seconds apart).
 * @param {import('./channel.js').Channel} channel - opened
 * @param {number} pid - the process whose CPU is counted
 * @param {{ warmup: number, count: number, concurrency: number }} options
 * @returns {Promise<{ cpuMicros: number, msgPerSec: number }>} CPU µs per request, requests per second
 */
export async function cpuPerRequest(channel, pid, { warmup, count, concurrency }) {
  await sendAll(channel, { count: warmup, concurrency, firstId: 1 });
  const before = cpuSeconds(pid);
  const t0 = performance.now();
  await sendAll(channel, { count, concurrency, firstId: 1 + warmup });
  const seconds = (performance.now() - t0) / 1000;
  return { cpuMicros: ((cpuSeconds(pid) - before) / count) * 1e6, msgPerSec: count / seconds };
}
