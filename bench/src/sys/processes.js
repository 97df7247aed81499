import { spawn } from 'node:child_process';
import { descendants } from './proc-tree.js';

/**
 * @typedef {object} Tracked
 * @property {string} label
 * @property {import('node:child_process').ChildProcess} child
 * @property {number} pid
 * @property {() => string} stderrTail - the last lines the process wrote to stderr
 * @property {Promise<void>} exited
 */

/** Every process started by the bench that has not exited yet, by pid. */
const live = new Map();

/**
 * Starts a process in its own process group (so its whole tree can be signalled), never through a
 * shell, and tracks it until it exits. stderr is kept as a bounded tail (20 lines) for error reports.
 * @param {string} label - a name for reports ("supergateway", "raw-echo")
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, stdoutIsChannel?: boolean, cwd?: string }} [options]
 * @returns {Tracked}
 */
export function startProcess(label, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    shell: false,
  });
  if (child.pid === undefined) throw new Error(`cannot start ${label}: ${command}`);
  /** @type {string[]} */
  const tail = [];
  child.stderr?.setEncoding('utf8').on('data', (text) => {
    for (const line of String(text).split('\n')) if (line.trim()) tail.push(line);
    if (tail.length > 20) tail.splice(0, tail.length - 20);
  });
  // An unread stdout would fill and block the child; the channel reads it when it is the channel.
  if (!options.stdoutIsChannel) child.stdout?.resume();
  child.stdin?.on('error', () => undefined);
  const pid = child.pid;
  const exited = new Promise((resolve) => child.once('exit', () => resolve(undefined)));
  /** @type {Tracked} */
  const tracked = { label, child, pid, stderrTail: () => tail.join('\n'), exited };
  live.set(pid, tracked);
  void exited.then(() => live.delete(pid));
  return tracked;
}

/**
 * Stops a process and everything it started: SIGTERM to its group, SIGKILL after `graceMs`, then
 * SIGKILL to any descendant that left the group (some peers detach their children).
 * @param {Tracked} tracked
 * @param {number} [graceMs] - default 1500
 */
export async function stopProcess(tracked, graceMs = 1500) {
  const tree = descendants(tracked.pid);
  if (tracked.child.exitCode === null && tracked.child.signalCode === null) {
    signal(-tracked.pid, 'SIGTERM');
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([tracked.exited, timer]);
    signal(-tracked.pid, 'SIGKILL');
  }
  for (const pid of tree) signal(pid, 'SIGKILL');
  signal(-tracked.pid, 'SIGKILL');
}

/** Processes started by someone else (an SDK transport) that the bench must not leave behind, by pid. */
const adopted = new Set();

/**
 * Remembers a process that a library started for the bench (e.g. the child of an SDK stdio transport),
 * so that {@link killAdopted} and the exit path can make sure it is gone.
 * @param {number} pid
 */
export function adoptProcess(pid) {
  adopted.add(pid);
}

/**
 * Kills the adopted processes that are still alive (with their descendants) and forgets them all.
 * @param {number[]} pids
 */
export function killAdopted(pids) {
  for (const pid of pids) {
    for (const child of descendants(pid)) signal(child, 'SIGKILL');
    signal(pid, 'SIGKILL');
    adopted.delete(pid);
  }
}

/** Kills every tracked process tree at once (for exit paths: SIGINT, uncaught errors). Synchronous. */
export function killAllNow() {
  for (const tracked of live.values()) {
    for (const pid of descendants(tracked.pid)) signal(pid, 'SIGKILL');
    signal(-tracked.pid, 'SIGKILL');
  }
  live.clear();
  killAdopted([...adopted]);
}

/** @returns {number} how many started processes are still running */
export function liveCount() {
  return live.size;
}

/**
 * @param {number} pid - negative for a process group
 * @param {NodeJS.Signals} name
 */
function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
