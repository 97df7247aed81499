import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../codegen/generated-project.js';
import { projectFile } from '../fixtures/paths.js';

// `switchboard generate proxy` end to end: this package is packed with `npm pack`, the generated project
// installs it from the tarball (its dependencies from the registry), starts, and serves a tool call.

const CLI = projectFile('dist/cli.js');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir: string;
let project: string;
let generated: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-proxy-'));
  const pack = await run(NPM, ['pack', '--silent', '--pack-destination', dir], {
    cwd: projectFile('.'),
    timeoutMs: 120_000,
  });
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = path.join(dir, pack.stdout.trim().split('\n').pop() ?? '');
  project = path.join(dir, 'proxy');
  generated = await run(process.execPath, [
    CLI,
    'generate',
    'proxy',
    '--out',
    project,
    '--switchboard-version',
    `file:${tarball}`,
    '--listen',
    'http://127.0.0.1:0/mcp',
    '--session-mode',
    'shared',
    '--timeout',
    '45s',
    '--log-format',
    'json',
  ]);
  const install = await run(
    NPM,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error'],
    {
      cwd: project,
      timeoutMs: 400_000,
    },
  );
  expect(install.code, install.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('switchboard generate proxy', () => {
  it('writes the project: the serve configuration as YAML, a one-file entry, pinned dependency', async () => {
    expect(generated.code, generated.stderr).toBe(0);
    const yaml = await readFile(path.join(project, 'switchboard.yaml'), 'utf8');
    expect(yaml).toContain('listen:\n  - http://127.0.0.1:0/mcp\n');
    expect(yaml).toContain('sessionMode: shared\n');
    expect(yaml).toContain('requestTimeout: 45000ms\n');
    const pkg = JSON.parse(await readFile(path.join(project, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe('node server.js');
  });

  it('installs from the packed tarball, starts and serves a tool call', async () => {
    const child = spawn(process.execPath, ['server.js'], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        const timer = setTimeout(() => reject(new Error(`not listening: ${buffered.slice(-500)}`)), 60_000);
        child.stderr.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          for (const line of buffered.split('\n')) {
            if (!line.includes('"msg":"listening"')) continue;
            clearTimeout(timer);
            resolve((JSON.parse(line) as { url: string }).url);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${buffered.slice(-500)}`)));
      });
      const client = new Client({ name: 'proxy-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const result = await client.callTool({ name: 'echo', arguments: { message: 'through the proxy' } });
      expect(result.content).toEqual([{ type: 'text', text: 'through the proxy' }]);
      await client.close();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
