import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type Ran } from '../codegen/generated-project.js';
import { projectFile } from '../fixtures/paths.js';

// `switchboard build --executable` end to end, built once: the executable (with a configuration baked
// in) is copied alone into an empty directory and run with a PATH that has no node.

const CLI = projectFile('dist/cli.js');
let work: string;
let lonely: string;
let exe: string;
let built: Ran;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'sb-exe-'));
  const config = path.join(work, 'switchboard.yaml');
  await writeFile(config, 'listen: [http://127.0.0.1:0/mcp]\nlog: { format: json }\nsessionMode: shared\n');
  built = await run(
    process.execPath,
    [CLI, 'build', '--executable', path.join(work, 'switchboard'), '--config', config],
    {
      timeoutMs: 400_000,
    },
  );
  lonely = path.join(work, 'lonely');
  const emptyBin = path.join(work, 'empty-bin');
  await mkdir(lonely);
  await mkdir(emptyBin);
  exe = path.join(lonely, 'switchboard');
  if (built.code === 0) await copyFile(path.join(work, 'switchboard'), exe);
  await rm(path.join(work, 'switchboard'), { force: true });
  env = { PATH: emptyBin, HOME: work };
}, 420_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// Every step spawns a 100 MiB executable or a CLI and a server: generous deadlines for busy machines.
describe('switchboard build --executable', { timeout: 120_000 }, () => {
  it('builds one file and says how large it is', () => {
    expect(built.stderr).toMatch(
      /switchboard build: .*switchboard \(\d+(\.\d)? MiB, script \d+(\.\d)? MiB, configuration baked in\)/,
    );
    expect(built.code).toBe(0);
  });

  it('runs --version alone in an empty directory with no node on PATH', async () => {
    const version = await run(exe, ['--version'], { cwd: lonely, env });
    const { version: expected } = JSON.parse(await readFile(projectFile('package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(expected);
    expect(version.code).toBe(0);
    const node = await run('node', ['--version'], { cwd: lonely, env });
    expect(node.code).not.toBe(0); // really no node on that PATH
  });

  it('serves the baked configuration (the demo over HTTP) and a tool call passes', async () => {
    const child = spawn(exe, [], { cwd: lonely, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        const timer = setTimeout(() => reject(new Error(`not listening: ${buffered.slice(-500)}`)), 60_000);
        child.stderr.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const line = buffered.split('\n').find((l) => l.includes('"msg":"listening"'));
          if (line === undefined) return;
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${buffered.slice(-500)}`)));
      });
      const client = new Client({ name: 'exe-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
      expect(result.structuredContent).toEqual({ sum: 42 });
      await client.close();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('generates the same client as the npm package does (the converter and prettier are bundled)', async () => {
    const fromExe = await run(
      exe,
      ['generate', 'client', '--out', path.join(lonely, 'gen'), '--', exe, 'demo'],
      {
        cwd: lonely,
        env,
        timeoutMs: 120_000,
      },
    );
    expect(fromExe.code, fromExe.stderr).toBe(0);
    const fromNpm = await run(process.execPath, [
      CLI,
      'generate',
      'client',
      '--out',
      path.join(work, 'gen-npm'),
      '--',
      process.execPath,
      CLI,
      'demo',
    ]);
    expect(fromNpm.code, fromNpm.stderr).toBe(0);
    for (const file of ['src/client.ts', 'src/types.ts', 'mcp-catalog.json']) {
      expect(await readFile(path.join(lonely, 'gen', file), 'utf8')).toBe(
        await readFile(path.join(work, 'gen-npm', file), 'utf8'),
      );
    }
  });

  it('a feature that needs a left-out native module says so', async () => {
    const refused = await run(
      exe,
      ['serve', '--listen', 'tcp://127.0.0.1:0', '--link-frontend', '--link-compression', 'lz4'],
      { cwd: lonely, env, timeoutMs: 60_000 },
    );
    expect(refused.stderr).toContain('lz4 needs the native module lz4-napi');
    expect(refused.code).not.toBe(0);
  });
});
