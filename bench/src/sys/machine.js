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
    workingTreeDirty: workingTreeDirty(repoRoot),
  };
}

/**
 * Whether tracked files differ from the commit, outside bench/results/ (a report's own earlier output
 * would otherwise make every later run look uncommitted).
 * @param {string} repoRoot
 */
export function workingTreeDirty(repoRoot) {
  return (
    git(repoRoot, ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results']) !== ''
  );
}

/** The commit measured, marked when it has uncommitted changes. @param {string} repoRoot */
export function measuredCommit(repoRoot) {
  const commit = git(repoRoot, ['rev-parse', '--short', 'HEAD']);
  return `${commit}${workingTreeDirty(repoRoot) ? ' (with uncommitted changes)' : ''}`;
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
