import { readFileSync, readdirSync } from 'node:fs';

/**
 * The pids of all living descendants of `pid` (Linux `/proc/<pid>/task/<tid>/children`).
 * Returns [] where /proc is not available.
 * @param {number} pid
 * @returns {number[]}
 */
export function descendants(pid) {
  /** @type {number[]} */
  const out = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 10_000) {
    const parent = /** @type {number} */ (queue.shift());
    for (const child of childrenOf(parent)) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** @param {number} pid */
function childrenOf(pid) {
  /** @type {number[]} */
  const out = [];
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const c of text.split(' ')) out.push(Number(c));
    } catch {
      // the task ended meanwhile
    }
  }
  return out;
}

/**
 * Resident set size of one process in bytes, or undefined once it is gone.
 * @param {number} pid
 */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A short name for a process: the script of a node process, else the executable.
 * @param {number} pid
 */
export function shortName(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const exe = (argv[0] ?? '?').split('/').pop() ?? '?';
    const script = argv.slice(1).find((a) => !a.startsWith('-'));
    return exe === 'node' && script ? `node ${script.split('/').slice(-2).join('/')}` : exe;
  } catch {
    return '?';
  }
}
