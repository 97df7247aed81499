import type { ChildProcess } from 'node:child_process';

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

/** `true` while any process of the child's group is alive. */
export function treeAlive(child: ChildProcess): boolean {
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
