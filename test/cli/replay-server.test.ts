import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, EVERYTHING, startServe, type Started } from '../e2e/processes.js';
import { runCli } from './cli-runner.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-mock-'));
const recording = path.join(dir, 'everything.jsonl');
const changed = path.join(dir, 'changed.jsonl');
const DOC = 'demo://resource/static/document/architecture.md';

/** The client script run against the live server and then against the mock: everything it saw. */
async function script(url: string): Promise<Record<string, unknown>> {
  const client = new Client({ name: 'mock-script', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    const progress: number[] = [];
    const seen: Record<string, unknown> = {
      server: client.getServerVersion()?.name,
      tools: (await client.listTools()).tools.map((t) => t.name).sort(),
      echo: await client.callTool({ name: 'echo', arguments: { message: 'hello mock' } }),
      sum: await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }),
      prompts: (await client.listPrompts()).prompts.map((p) => p.name).sort(),
      doc: await client.readResource({ uri: DOC }),
      long: await client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
        undefined,
        { onprogress: (p) => progress.push(p.progress) },
      ),
    };
    seen.progress = progress;
    return seen;
  } finally {
    await client.close();
  }
}

/** Starts `switchboard replay FILE --as-server` on a loopback HTTP port; resolves with its URL. */
async function startMock(file: string, ...flags: string[]): Promise<Started & { url: string }> {
  const proc = spawn(
    process.execPath,
    [CLI, 'replay', file, '--as-server', '--listen', 'http://127.0.0.1:0/mcp', ...flags],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`mock not serving: ${text}`)), 30_000);
    proc.stderr.on('data', (c: Buffer) => {
      text += c.toString();
      stderr.push(...c.toString().split('\n').filter(Boolean));
      const m = / on (http:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    proc.once('exit', (code) => reject(new Error(`mock exited ${code}: ${text}`)));
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    stderr,
    url,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

describe('switchboard replay --as-server: a recording served as an MCP server', () => {
  let live: Record<string, unknown>;
  let mock: (Started & { url: string }) | undefined;

  beforeAll(async () => {
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--record',
      recording,
      '--',
      process.execPath,
      EVERYTHING,
      'stdio',
    ]);
    try {
      live = await script(serve.urls[0] as string);
    } finally {
      await serve.stop();
    }
    mock = await startMock(recording, '--speed', '4');
  }, 90_000);
  afterAll(async () => {
    await mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the client script sees against the mock what it saw against server-everything', async () => {
    expect(live.server).toBe('mcp-servers/everything');
    expect((live.progress as number[]).length).toBeGreaterThan(0);
    const replayed = await script(mock?.url as string);
    expect(replayed).toEqual(live);
  });

  it('answers an unmatched call with an error naming the nearest recorded calls', async () => {
    const client = new Client({ name: 'mock-script', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mock?.url as string)));
    try {
      const error = await client.callTool({ name: 'echo', arguments: { message: 'never recorded' } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(McpError);
      const message = (error as McpError).message;
      expect(message).toContain('No recorded call matches tools/call echo {"message":"never recorded"}');
      expect(message).toContain('nearest recorded: tools/call echo {"message":"hello mock"}');
      expect((error as McpError).code).toBe(-32602);
      // The session goes on: a recorded call still gets its answer.
      expect(await client.callTool({ name: 'get-sum', arguments: { b: 40, a: 2 } })).toEqual(live.sum);
    } finally {
      await client.close();
    }
  });

  it('matches on the tool name alone with --match name', async () => {
    const byName = await startMock(recording, '--speed', '0', '--match', 'name');
    try {
      const client = new Client({ name: 'mock-script', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(byName.url)));
      const answer = await client.callTool({ name: 'echo', arguments: { message: 'something else' } });
      expect(answer).toEqual(live.echo);
      await client.close();
    } finally {
      await byName.stop();
    }
  });

  it('replay --against reports a changed result as a diff', async () => {
    // The same recording, with one answer changed, served as the backend to compare against.
    const lines = readFileSync(recording, 'utf8').split('\n');
    const edited = lines.map((line) => line.replace('Echo: hello mock', 'Echo: changed'));
    expect(edited).not.toEqual(lines);
    writeFileSync(changed, edited.join('\n'));
    const backend = await startMock(changed, '--speed', '0');
    try {
      const run = await runCli(['replay', recording, '--against', backend.url], { timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('(tools/call echo)');
      expect(run.stdout).toContain('result.content.0.text: "Echo: hello mock" → "Echo: changed"');
      expect(run.stdout).toMatch(/1 of \d+ answers differ/);
      const same = await runCli(['replay', recording, '--against', mock?.url as string], {
        timeoutMs: 60_000,
      });
      expect(same.stdout).toMatch(/no difference/);
      expect(same.code).toBe(0);
    } finally {
      await backend.stop();
    }
  }, 120_000);

  it('refuses a bad --match or --speed as a usage error', async () => {
    const run = await runCli(['replay', recording, '--as-server', '--match', 'fuzzy']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--match "fuzzy"');
  });
});
