import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecording } from '../../src/middleware/tap/recording.js';
import { startServe } from '../e2e/processes.js';
import { projectFile } from '../fixtures/paths.js';
import { runCli } from './cli-runner.js';

const ECHO = projectFile('test/middleware/fixtures/echo-server.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-replay-'));
const recording = path.join(dir, 'session.jsonl');

describe('serve --record, then switchboard replay', () => {
  beforeAll(async () => {
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--record',
      recording,
      '--',
      process.execPath,
      ECHO,
    ]);
    try {
      const client = new Client({ name: 'replay-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(serve.urls[0] as string)));
      await client.listTools();
      await client.callTool({ name: 'echo', arguments: { text: 'first' } });
      await client.callTool({ name: 'echo', arguments: { text: 'second' } });
      await client.close();
    } finally {
      await serve.stop();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records every frame with direction, time and session', () => {
    const frames = parseRecording(readFileSync(recording, 'utf8'));
    const methods = frames.filter((f) => f.direction === 'in').map((f) => f.message.method);
    expect(methods).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/list',
      'tools/call',
      'tools/call',
    ]);
    expect(frames.filter((f) => f.direction === 'out')).toHaveLength(4);
    expect(new Set(frames.map((f) => f.session)).size).toBe(1);
    for (const f of frames) expect(Number.isNaN(Date.parse(f.time))).toBe(false);
  });

  it('reports no difference against the same backend', async () => {
    const run = await runCli(['replay', recording, '--', process.execPath, ECHO]);
    expect(run.stderr).toContain('replaying');
    expect(run.stdout).toContain('no difference: 4 of 4 answers identical');
    expect(run.code).toBe(0);
  });

  it('reports the differing responses against a changed backend', async () => {
    const run = await runCli(['replay', recording, '--json', '--', process.execPath, ECHO, '--suffix', '!']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      compared: number;
      identical: number;
      differences: {
        method: string;
        target?: string;
        changes: { path: string; recorded: unknown; replayed: unknown }[];
      }[];
    };
    expect(report.compared).toBe(4);
    expect(report.identical).toBe(2);
    expect(report.differences).toEqual([
      expect.objectContaining({
        method: 'tools/call',
        target: 'echo',
        changes: [{ path: 'result.content.0.text', kind: 'changed', recorded: 'first', replayed: 'first!' }],
      }),
      expect.objectContaining({
        method: 'tools/call',
        changes: [
          { path: 'result.content.0.text', kind: 'changed', recorded: 'second', replayed: 'second!' },
        ],
      }),
    ]);
    const human = await runCli(['replay', recording, '--', process.execPath, ECHO, '--suffix', '!']);
    expect(human.stdout).toContain('result.content.0.text: "first" → "first!"');
    expect(human.stdout).toContain('2 of 4 answers differ');
  });

  it('--ignore leaves paths out of the comparison; a bad file is a usage error', async () => {
    const run = await runCli([
      'replay',
      recording,
      '--ignore',
      'result.content',
      '--',
      process.execPath,
      ECHO,
      '--suffix',
      '!',
    ]);
    expect(run.code).toBe(0);
    const bad = await runCli(['replay', path.join(dir, 'missing.jsonl'), '--', process.execPath, ECHO]);
    expect(bad.code).toBe(2);
  });
});
