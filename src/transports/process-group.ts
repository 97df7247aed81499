import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** `true` when the OS gives children their own process group (POSIX). */
export const PROCESS_GROUPS = process.platform !== 'win32';

/**
 * Sends `signal` to the child's whole process group (POSIX, child spawned `detached`), or to the child
 * alone elsewhere. Never throws: a group that is already gone is fine.
 *
 * @returns `true` when something received the signal
 */
export function signalTree(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  const pid = child.pid;
  if (pid === undefined) return false;
  try {
    if (PROCESS_GROUPS) process.kill(-pid, signal);
    else if (signal === 0) process.kill(pid, 0);
    else child.kill(signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Live (non-zombie) members of process group `pgid`, read from /proc. Zombies count as gone: where PID 1
 * does not reap orphans (many containers), a killed grandchild stays a zombie forever and `kill(-pgid, 0)`
 * would keep reporting the group alive.
 */
function liveGroupMembersLinux(pgid: number): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // Format: "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') count++;
  }
  return count;
}

/** `true` while any (non-zombie, on Linux) process of the child's group is alive. */
export function treeAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  if (process.platform === 'linux') {
    try {
      return liveGroupMembersLinux(child.pid) > 0;
    } catch {
      // /proc unavailable: fall back to the signal probe.
    }
  }
  return signalTree(child, 0);
}

/** Resolves `true` when `child` has exited, or `false` after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Resolves `true` when no process of the group remains, polling every 20 ms, or `false` after `ms`. */
export async function waitForTreeGone(child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (treeAlive(child)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
