/**
 * Credentials in backend URLs (user names, passwords, query-string values) never reach the logs, and
 * `serve` startup errors are one line with the right exit code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeBackendTarget, parseBackendTarget } from '../../src/cli/backend-target.js';
import { redactUrl, redactUrlsIn } from '../../src/observability/redact-url.js';
import { runCli } from '../cli/cli-runner.js';
import { startServe, type Started } from '../e2e/processes.js';

const started: Started[] = [];
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
});

describe('redactUrl', () => {
  const cases: [string, string][] = [
    ['https://bob:pw@api.example.com/mcp', 'https://***@api.example.com/mcp'],
    ['https://bob@api.example.com/mcp', 'https://***@api.example.com/mcp'],
    ['http://127.0.0.1:3000/mcp?key=s3cr3t&tenant=t1', 'http://127.0.0.1:3000/mcp?key=***&tenant=***'],
    ['wss://h/ws?token=abc#frag', 'wss://h/ws?token=***#***'],
    ['sse+https://u:p@h/sse?x', 'sse+https://***@h/sse?x'],
    ['tcp://10.0.0.5:7000', 'tcp://10.0.0.5:7000'],
    ['https://h/@scope/pkg', 'https://h/@scope/pkg'],
    ['not a url', 'not a url'],
  ];
  for (const [input, output] of cases) {
    it(`${input} → ${output}`, () => {
      expect(redactUrl(input)).toBe(output);
    });
  }

  it('redacts every URL inside free text (error messages)', () => {
    expect(
      redactUrlsIn(
        'Cannot open WebSocket wss://alice:pw@h/mcp?sig=x: refused; see https://docs.example/a?b=c',
      ),
    ).toBe('Cannot open WebSocket wss://***@h/mcp?sig=***: refused; see https://docs.example/a?b=***');
  });

  it('describeBackendTarget shows no user name, password or query value', () => {
    const target = parseBackendTarget({ positional: ['https://bob:hunter2@mcp.example.com/mcp?api_key=k1'] });
    expect(describeBackendTarget(target)).toBe('https://***@mcp.example.com/mcp?api_key=***');
  });
});

describe('serve logs', () => {
  it('never print a backend URL’s user name, password or query values (info level, json)', async () => {
    const serve = await startServe([
      'http://bob:hunter2@127.0.0.1:9/mcp?access_key=s3cr3t-value',
      '--listen',
      'tcp://127.0.0.1:0',
    ]);
    started.push(serve);
    const text = serve.stderr.join('\n');
    expect(text).toContain('"msg":"serving"');
    expect(text).toContain('http://***@127.0.0.1:9/mcp?access_key=***');
    expect(text).not.toMatch(/bob|hunter2|s3cr3t-value/);
  }, 60_000);
});

describe('serve startup errors', () => {
  it('--listen foo://x: exit 2, one line', async () => {
    const run = await runCli(['serve', '--listen', 'foo://x'], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^switchboard serve: Unsupported scheme "foo:"/);
  }, 90_000);
});
