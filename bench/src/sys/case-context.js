import { adoptProcess, killAdopted, startProcess, stopProcess } from './processes.js';

/**
 * What one benchmark case started, so that all of it is stopped when the case ends, whatever
 * happened: processes (sampled for RSS while they run), adopted children of library transports, and
 * other clean-up steps.
 */
export class CaseContext {
  /** @type {import('./processes.js').Tracked[]} */
  #processes = [];
  /** @type {number[]} */
  #adopted = [];
  /** @type {(() => unknown)[]} */
  #cleanups = [];
  #rss;

  /** @param {import('./rss-sampler.js').RssSampler} rss */
  constructor(rss) {
    this.#rss = rss;
  }

  /**
   * Starts a process for this case (see {@link startProcess}) and samples its tree's memory.
   * @param {string} label
   * @param {string} command
   * @param {string[]} args
   * @param {Parameters<typeof startProcess>[3]} [options]
   */
  spawn(label, command, args, options) {
    const tracked = startProcess(label, command, args, options);
    this.#processes.push(tracked);
    this.#rss.track(label, tracked.pid);
    return tracked;
  }

  /**
   * The pid of the first process this case started under `label` (e.g. `switchboard`), if any.
   * @param {string} label
   * @returns {number | undefined}
   */
  pidOf(label) {
    return this.#processes.find((p) => p.label === label)?.pid;
  }

  /**
   * Samples and, at the end, kills a process that a library started (an SDK stdio child).
   * @param {string} label
   * @param {number} pid
   */
  adopt(label, pid) {
    adoptProcess(pid);
    this.#adopted.push(pid);
    this.#rss.track(label, pid);
  }

  /** @param {() => unknown} fn - runs at clean-up, in reverse order of registration */
  defer(fn) {
    this.#cleanups.push(fn);
  }

  /** The stderr tails of the processes of this case, for failure reports. */
  stderrTails() {
    return this.#processes
      .map((p) => (p.stderrTail() ? `[${p.label} stderr] ${p.stderrTail().slice(-600)}` : ''))
      .filter(Boolean)
      .join('\n');
  }

  async cleanup() {
    for (const fn of this.#cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // clean-up goes on
      }
    }
    await Promise.all(this.#processes.map((p) => stopProcess(p)));
    killAdopted(this.#adopted);
  }
}
