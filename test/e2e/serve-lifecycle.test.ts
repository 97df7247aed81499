/**
 * `switchboard serve` as an operator sees it: health and readiness endpoints, children's stderr in the
 * log tagged with the session, and a graceful SIGTERM that lets an in-flight request finish and exits 0.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { fixture } from '../fixtures/paths.js';
import { eventually } from '../proxy/harness.js';
import { freePort, startServe, type Started } from './processes.js';

const started: Started[] = [];
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
});
const rawBackend = ['--', process.execPath, fixture('raw-backend.mjs')];

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('serve lifecycle', () => {
  it('serves /healthz and /readyz on the HTTP frontend and on --admin-bind', async () => {
    const adminPort = await freePort();
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--listen',
      'tcp://127.0.0.1:0',
      '--admin-bind',
      `127.0.0.1:${adminPort}`,
      ...rawBackend,
    ]);
    started.push(serve);
    const http = new URL(serve.urls[0] as string);
    for (const base of [http.origin, `http://127.0.0.1:${adminPort}`]) {
      expect(await get(`${base}/healthz`)).toEqual({ status: 200, body: '{"status":"ok"}' });
      expect(await get(`${base}/readyz`)).toMatchObject({ status: 200 });
    }
  }, 60_000);

  it("logs each child's stderr with its session id", async () => {
    const serve = await startServe(['--listen', 'tcp://127.0.0.1:0', ...rawBackend]);
    started.push(serve);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(connect(serve.urls[0] as string));
    await client.callTool({ name: 'echo', arguments: {} });
    await client.close();
    const deadline = Date.now() + 20_000;
    let line: { session?: string; stderr?: string } | undefined;
    while (Date.now() < deadline && !line) {
      line = serve.stderr
        .filter((l) => l.includes('"msg":"backend stderr"'))
        .map((l) => JSON.parse(l) as { session?: string; stderr?: string })
        .find((l) => l.stderr === 'IN tools/call 1');
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    expect(line?.session).toMatch(/^s\d+$/);
  }, 60_000);

  it('on SIGTERM lets the request in flight finish, then exits 0', async () => {
    const serve = await startServe(['--listen', 'tcp://127.0.0.1:0', ...rawBackend]);
    started.push(serve);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(connect(serve.urls[0] as string));
    const call = client.callTool({ name: 'slow', arguments: { ms: 1500, steps: 1 } });
    // In flight: the backend logged the call (its stderr reaches serve's log).
    const deadline = Date.now() + 20_000;
    while (!serve.stderr.some((l) => l.includes('"msg":"backend stderr"') && l.includes('IN tools/call'))) {
      if (Date.now() > deadline) throw new Error('the call did not reach the backend');
      await new Promise((r) => setTimeout(r, 20));
    }
    const exited = new Promise<number | null>((resolve) => serve.proc.once('exit', (code) => resolve(code)));
    serve.proc.kill('SIGTERM');
    const result = await call;
    expect((result.content as { text: string }[])[0]?.text).toBe('slow done 1');
    expect(await exited).toBe(0);
    // The last log line may come through the stderr pipe after the exit.
    await eventually(() => serve.stderr.some((l) => l.includes('"msg":"stopped"')));
  }, 60_000);
});
