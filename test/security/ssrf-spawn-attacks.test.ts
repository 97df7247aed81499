import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, listen } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import { checkSocketPath } from '../../src/security/socket-path.js';
import { SsrfGuard } from '../../src/security/ssrf/guard.js';
import type { ResolvedAddress } from '../../src/security/ssrf/resolve.js';
import { runCli } from '../cli/cli-runner.js';
import { fixture } from '../fixtures/paths.js';
import {
  initializeRequest,
  openSession,
  post,
  startCountingBackend,
  startServe,
  type CountingBackend,
} from './harness.js';

const ARGV_BACKEND = fixture('../security/fixtures/argv-backend.mjs');

let backend: CountingBackend;
let port: number;

beforeAll(async () => {
  backend = await startCountingBackend();
  port = Number(new URL(backend.uri).port);
});

afterAll(async () => {
  await backend.close();
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<SwitchboardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwitchboardError);
  expect((error as SwitchboardError).code).toBe(code);
  return error as SwitchboardError;
}

describe('SSRF guard at startup (serve refuses to start; the backend sees nothing)', () => {
  const loopbackForms = [
    '127.1',
    '0x7f.1',
    '2130706433',
    '0177.0.0.1',
    '[::ffff:127.0.0.1]',
    '[::1]',
    '127.0.0.1',
    'localhost',
  ];
  for (const host of loopbackForms) {
    it(`tcp://${host} with --deny-loopback-backends`, async () => {
      const before = backend.connections;
      const error = await expectCode(
        startServe(`tcp://${host}:${port}`, { security: { backends: { denyLoopback: true } } }),
        'SSRF_BLOCKED',
      );
      expect(error.message).toContain('loopback');
      expect(backend.connections).toBe(before);
    });
  }

  it('http://2130706433 (decimal) with --deny-loopback-backends', async () => {
    const before = backend.connections;
    await expectCode(
      startServe(`http://2130706433:${port}/mcp`, { security: { backends: { denyLoopback: true } } }),
      'SSRF_BLOCKED',
    );
    expect(backend.connections).toBe(before);
  });

  // Non-loopback refusals (169.254.169.254, private networks, …) run in a network namespace of their
  // own: test/security/ssrf-isolated.test.ts.

  it('--allow-private-backends opts out (the guard admits a private address)', async () => {
    const guard = new SsrfGuard({ allowPrivate: true });
    await expect(guard.checkUri('http://10.0.0.1/mcp')).resolves.toBeUndefined();
  });
});

describe('SSRF guard in the library (injected resolver; check and use pinned)', () => {
  const stub =
    (...answers: string[][]) =>
    () => {
      let i = 0;
      return (): Promise<ResolvedAddress[]> =>
        Promise.resolve(
          (answers[Math.min(i++, answers.length - 1)] ?? []).map((address) => ({
            address,
            family: address.includes(':') ? 6 : 4,
          })),
        );
    };

  it('a name with one public and one private address is refused as a whole', async () => {
    const guard = new SsrfGuard({ resolver: stub(['93.184.216.34', '169.254.169.254'])() });
    await expectCode(guard.checkUri('ws://mixed.test/mcp'), 'SSRF_BLOCKED');
  });

  it('net.connect with the guard lookup connects to the vetted address only', async () => {
    const guard = new SsrfGuard({ resolver: stub(['127.0.0.1'])() });
    const before = backend.connections;
    const socket = net.connect({ host: 'counting.test', port, lookup: guard.lookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    expect(socket.remoteAddress).toBe('127.0.0.1');
    socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.connections).toBe(before + 1);
  });

  it('HTTP backends resolve through the guard (a name only the stub knows reaches the server)', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const httpPort = (server.address() as net.AddressInfo).port;
    const guard = new SsrfGuard({ resolver: stub(['127.0.0.1'])() });
    const transport = await guard.connect(`http://pinned.test:${httpPort}/mcp`, {
      http: { transport: 'streamable-http' },
    });
    transport.onerror = () => undefined;
    await transport.start();
    await transport.send(initializeRequest() as never).catch(() => undefined);
    expect(hits).toBeGreaterThanOrEqual(1);
    await transport.close();
    server.closeAllConnections();
    server.close();
  });

  it('a redirect to a private address is not followed (the HTTP client follows no redirect)', async () => {
    let privateHits = 0;
    const target = http.createServer((_req, res) => {
      privateHits++;
      res.end();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as net.AddressInfo).port;
    // Stand-in for a private target (tests send traffic to loopback only): following it would show here.
    const redirector = http.createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${targetPort}/mcp` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const redirectPort = (redirector.address() as net.AddressInfo).port;
    const serve = await startServe(`http://127.0.0.1:${redirectPort}/mcp`, {});
    try {
      const reply = await post(serve.url, initializeRequest());
      expect(reply.text).toMatch(/error/);
      expect(privateHits).toBe(0);
    } finally {
      await serve.close();
      redirector.close();
      target.close();
    }
  });
});

describe('command policy for stdio backends', () => {
  it('refuses a command that is not on the allow-list (startup error)', async () => {
    const error = await expectCode(
      startServe({ command: ['bash', '-c', 'id'] }, { security: { commands: { allow: ['node'] } } }),
      'COMMAND_REFUSED',
    );
    expect(error.message).toContain('"bash"');
  });

  it('refuses a path that aliases an allowed name but is another binary', async () => {
    await expectCode(
      startServe({ command: ['/bin/sh', '-c', 'id'] }, { security: { commands: { allow: ['node'] } } }),
      'COMMAND_REFUSED',
    );
  });

  it('passes shell syntax as literal arguments (no shell ever runs)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-argv-'));
    const marker = path.join(dir, 'pwned');
    const hostile = [
      `; rm -rf ${dir}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `| touch ${marker}`,
      `&& touch ${marker}`,
    ];
    const serve = await startServe(
      { command: ['node', ARGV_BACKEND, ...hostile] },
      { security: { commands: { allow: ['node'] } } },
    );
    try {
      const headers = await openSession(serve.url);
      const reply = await post(
        serve.url,
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'argv', arguments: {} } },
        headers,
      );
      const json = reply.text.startsWith('{') ? reply.text : (/data: (.*)/.exec(reply.text)?.[1] ?? '');
      const text =
        (JSON.parse(json) as { result: { content: { text: string }[] } }).result.content[0]?.text ?? '';
      expect(JSON.parse(text)).toEqual(hostile);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(dir)).toBe(true);
    } finally {
      await serve.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--allow-args refuses an injection-looking argument at startup', async () => {
    await expectCode(
      startServe(
        { command: ['node', ARGV_BACKEND, '$(id)'] },
        { security: { commands: { allow: ['node'], argPattern: '[\\w./-]+' } } },
      ),
      'COMMAND_REFUSED',
    );
  });
});

describe('Unix socket path traversal', () => {
  it('refuses a ".." path for connect', () => {
    expect(() => connect('unix:///tmp/../etc/mcp.sock')).toThrow(/refused/);
  });

  it('refuses a relative path with ".." for listen', async () => {
    await expect(listen('unix://run/../../etc/x.sock', { onConnection: () => undefined })).rejects.toThrow(
      /refused|Invalid/,
    );
  });

  it('refuses a NUL byte and an over-long path', () => {
    expect(() => checkSocketPath('/tmp/a\0b.sock')).toThrow(/NUL/);
    expect(() => checkSocketPath(`/tmp/${'x'.repeat(200)}.sock`)).toThrow(/longer/);
  });
});

describe('CLI: refusals are startup errors with exit code 2 and a one-line reason (SSRF: ssrf-isolated)', () => {
  it('command outside the allow-list', async () => {
    const run = await runCli(
      ['serve', '--log-level', 'silent', '--allow-command', 'node', '--', 'bash', '-c', 'id'],
      { timeoutMs: 30_000 },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not on the allow-list/);
  });
});
