import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectFile } from '../fixtures/paths.js';

const run = promisify(execFile);
const CLI = projectFile('dist/cli.js');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// These run the built CLI (npm test builds first).
describe('switchboard CLI', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { version: string };
    const r = await cli('--version');
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('--help lists the commands', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: switchboard/);
    expect(r.stdout).toMatch(/demo/);
  });

  it('an unknown option is a usage error with exit code 2', async () => {
    const r = await cli('--no-such-flag');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });
});
