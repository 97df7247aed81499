import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/paths.js';
import { dashboardUrl, httpClient } from './dashboard-harness.js';
import { CLI, freePort, startServe, type Started } from './processes.js';

const run = promisify(execFile);
// A tmux server of our own (its own socket name): nothing of anyone else's is touched.
const SOCKET = `sb-top-${process.pid}`;
const tmux = (...args: string[]) => run('tmux', ['-L', SOCKET, ...args], { timeout: 10_000 });
const capture = async (): Promise<string> => (await tmux('capture-pane', '-p', '-t', 'top')).stdout;

async function screenShows(pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    last = await capture().catch(() => last);
    if (pattern.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not on screen:\n${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('switchboard top in a terminal (tmux)', () => {
  let serve: Started & { urls: string[] };
  let client: Client;

  beforeAll(async () => {
    const adminPort = await freePort();
    serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--admin-bind',
      `127.0.0.1:${adminPort}`,
      '--',
      process.execPath,
      fixture('dashboard-server.mjs'),
    ]);
    client = await httpClient(serve.urls[0] as string, 'top-e2e');
    await client.callTool({ name: 'ok', arguments: {} });
    await client.callTool({ name: 'ok', arguments: {} });
    await client.callTool({ name: 'fail', arguments: {} });
    const admin = dashboardUrl(serve).replace(/\/dashboard$/, '');
    await tmux(
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      '140',
      '-y',
      '50',
      `${process.execPath} ${CLI} top --admin ${admin}`,
    );
  }, 90_000);
  afterAll(async () => {
    await tmux('kill-server').catch(() => undefined);
    await client?.close();
    await serve?.stop();
  });

  it('renders the live counts, and follows new traffic', async () => {
    // initialize and three calls.
    const screen = await screenShows(/requests 4 +errors 1/, 'the counts');
    expect(screen).toContain('switchboard top — http://127.0.0.1:');
    expect(screen).toMatch(/sessions 1 /);
    expect(screen).toMatch(/backend +tools\/call fail +1 +100/);
    expect(screen).toMatch(/backend +tools\/call ok +2 +0/);
    expect(screen).toMatch(/top-e2e 2\.5\.0/);
    expect(screen).toMatch(/backend +\S+ +up/);
    await client.callTool({ name: 'fail', arguments: {} });
    const after = await screenShows(/requests 5 +errors 2/, 'the new call');
    expect(after).toMatch(/backend +tools\/call fail +2 +100/);
  });

  it('quits on q', async () => {
    await tmux('send-keys', '-t', 'top', 'q');
    const deadline = Date.now() + 30_000;
    // The session ends with its command.
    while (
      await tmux('has-session', '-t', 'top').then(
        () => true,
        () => false,
      )
    ) {
      if (Date.now() > deadline) throw new Error('top did not quit');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
