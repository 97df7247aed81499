import { descendants, rssBytes, shortName } from './proc-tree.js';

const MB = 1024 * 1024;

/**
 * Samples the resident memory of this process and of every tracked process tree (each root and all its
 * descendants, found anew at each sample) at a fixed interval, keeping the peaks.
 */
export class RssSampler {
  /** @type {Map<string, number>} root label → pid */
  #roots = new Map();
  /** @type {Map<string, number>} root label → peak of the tree's summed RSS */
  #treePeaks = new Map();
  /** @type {Map<string, number>} "label › process" → peak RSS of one process */
  #processPeaks = new Map();
  #selfPeak = 0;
  /** @type {NodeJS.Timeout | undefined} */
  #timer;
  #intervalMs;

  /** @param {number} [intervalMs] - sampling period (default 200 ms) */
  constructor(intervalMs = 200) {
    this.#intervalMs = intervalMs;
  }

  /**
   * @param {string} label
   * @param {number} pid
   */
  track(label, pid) {
    let name = label;
    for (let i = 2; this.#roots.has(name); i++) name = `${label}#${i}`;
    this.#roots.set(name, pid);
  }

  start() {
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  sample() {
    this.#selfPeak = Math.max(this.#selfPeak, process.memoryUsage.rss());
    for (const [label, root] of this.#roots) {
      let sum = 0;
      for (const pid of [root, ...descendants(root)]) {
        const rss = rssBytes(pid);
        if (rss === undefined) continue;
        sum += rss;
        const key = pid === root ? label : `${label} › ${shortName(pid)}`;
        this.#processPeaks.set(key, Math.max(this.#processPeaks.get(key) ?? 0, rss));
      }
      this.#treePeaks.set(label, Math.max(this.#treePeaks.get(label) ?? 0, sum));
    }
  }

  /** Stops sampling and returns the peaks in MB. */
  stop() {
    if (this.#timer) clearInterval(this.#timer);
    this.sample();
    /** @param {Map<string, number>} map */
    const mb = (map) => Object.fromEntries([...map].map(([k, v]) => [k, round(v / MB)]));
    return {
      generatorMB: round(this.#selfPeak / MB),
      treesMB: mb(this.#treePeaks),
      processesMB: mb(this.#processPeaks),
    };
  }
}

/** @param {number} x */
function round(x) {
  return Math.round(x * 10) / 10;
}
