// Child processes of the stand-alone benchmark scripts (scale-out, its profile, the state journal): a
// free loopback port, a child started and awaited until its output says it is ready, every child stopped
// at the end (SIGTERM, then SIGKILL), and the CPU a process (tree) used so far, from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 at the moment of asking. */
export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

/** The children one script starts; `stopAll()` ends them. */
export class Children {
  /** @type {import('node:child_process').ChildProcess[]} */
  list = [];

  /**
   * Starts `cmd args` and resolves once its stdout or stderr matches `ready` (rejects when it exits
   * first, or after `timeoutMs`).
   * @param {string} cmd @param {string[]} args @param {RegExp} ready @param {number} [timeoutMs]
   * @returns {Promise<{ child: import('node:child_process').ChildProcess, match: RegExpExecArray }>}
   */
  start(cmd, args, ready, timeoutMs = 60_000) {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.list.push(child);
    let out = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd} not ready: ${out.slice(-300)}`)), timeoutMs);
      /** @param {Buffer} c */
      const onData = (c) => {
        out += c.toString();
        const match = ready.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve({ child, match });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out.slice(-300)}`)));
    });
  }

  /**
   * Stops every child started so far (SIGTERM, then SIGKILL after `killAfterMs`), last started first.
   * @param {number} [killAfterMs]
   */
  async stopAll(killAfterMs = 5000) {
    await Promise.all(
      this.list
        .splice(0)
        .reverse()
        .map(
          (c) =>
            /** @type {Promise<void>} */ (
              new Promise((resolve) => {
                if (c.exitCode !== null) return resolve();
                c.once('exit', () => resolve());
                c.kill('SIGTERM');
                setTimeout(() => c.kill('SIGKILL'), killAfterMs).unref();
              })
            ),
        ),
    );
  }
}

/** CPU time (user + system, µs) a process used so far; 0 when it is gone. @param {number | undefined} pid */
export function cpuMicros(pid) {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

/** The pids of a process's children. @param {number} pid @returns {number[]} */
export function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * User and system CPU µs, voluntary context switches (each a sleep: a wait for I/O) and read- and
 * write-family system calls (read, readv, write, writev, …) of a process so far; zeros when it is gone.
 * @param {number | undefined} pid
 */
export function processUsage(pid) {
  const none = { user: 0, sys: 0, waits: 0, reads: 0, writes: 0 };
  if (pid === undefined) return none;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const n = (/** @type {RegExp} */ re, /** @type {string} */ text) => Number(re.exec(text)?.[1] ?? 0);
    return {
      user: Number(fields[11]) * 10_000,
      sys: Number(fields[12]) * 10_000,
      waits: n(/voluntary_ctxt_switches:\s+(\d+)/, status),
      reads: n(/syscr:\s+(\d+)/, io),
      writes: n(/syscw:\s+(\d+)/, io),
    };
  } catch {
    return none;
  }
}
