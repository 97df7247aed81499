import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * Facts about the machine and the code under test, stored with every run.
 * @param {string} repoRoot
 */
export function machineInfo(repoRoot) {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 1024 ** 3),
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: git(repoRoot, ['rev-parse', '--short', 'HEAD']),
    workingTreeDirty: git(repoRoot, ['status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

/**
 * @param {string} cwd
 * @param {string[]} args
 */
function git(cwd, args) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
