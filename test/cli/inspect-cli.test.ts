import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseBackendTarget } from '../../src/cli/backend-target.js';
import { runInspect } from '../../src/cli/commands/inspect.js';
import { fixtureCommand } from '../fixtures/compiled.js';
import { publishedReportValidator } from '../introspect/report-validator.js';
import { serveDemo, serveNasty } from '../introspect/servers.js';
import { DEMO_SERVER, recordingIo, runCli } from './cli-runner.js';

const ESC = '\u001b';
const NASTY_MODERN = fixtureCommand('nasty-server.ts', '--era', 'modern');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('switchboard inspect (child process)', () => {
  it('prints readable tables by default, without colours or spinner when not a TTY', async () => {
    const run = await runCli(['inspect', '--', ...DEMO_SERVER]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('switchboard-demo 0.1.0');
    expect(run.stdout).toMatch(/Tools \(4\)[\s\S]*echo +message\* +read-only +Returns the message/);
    expect(run.stdout).toContain('Resources (1)');
    expect(run.stdout).toContain('Resource templates (1)');
    expect(run.stdout).toMatch(/greet +name\*/);
    expect(run.stdout + run.stderr).not.toContain(ESC);
    expect(run.stderr).toBe('');
  });

  it('--format json is valid against the published schema; --format yaml -o FILE writes the same report', async () => {
    const json = await runCli(['inspect', '--format', 'json', '--', ...NASTY_MODERN]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { protocol: unknown; tools: unknown[] };
    expect((await publishedReportValidator())(report)).toEqual([]);
    expect(report.protocol).toEqual({ version: '2026-07-28', era: 'stateless' });
    const file = path.join(os.tmpdir(), `sb-inspect-${randomUUID()}.yaml`);
    cleanups.push(() => rm(file, { force: true }));
    const yaml = await runCli(['inspect', '-f', 'yaml', '-o', file, '--cmd', NASTY_MODERN.join(' ')]);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toBe('');
    const fromFile = parseYaml(await readFile(file, 'utf8')) as { tools: unknown[] };
    expect(fromFile.tools).toEqual(report.tools);
  });

  it('--call prints the tool result (human and json), with --arg coercion and --args', async () => {
    const human = await runCli([
      'inspect',
      '--call',
      'echo',
      '--arg',
      'message=hello there',
      '--',
      ...DEMO_SERVER,
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('hello there\n');
    const json = await runCli([
      'inspect',
      '--call',
      'add',
      '--args',
      '{"a":1}',
      '--arg',
      'b=2',
      '-f',
      'json',
      '--',
      ...DEMO_SERVER,
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ structuredContent: { sum: 3 } });
  });

  it.each([
    [['inspect'], /no backend/],
    [['inspect', '--bogus'], /unknown option '--bogus'/],
    [['inspect', '--timeout', '0', '--', 'x'], /expected a positive integer/],
  ])('usage error %j exits 1 with a one-line message', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 4 when the server cannot be reached', async () => {
    const missing = await runCli(['inspect', '--', '/nonexistent/mcp-server']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^switchboard inspect: .*ENOENT/);
    const refused = await runCli(['inspect', '--timeout', '5000', 'tcp://127.0.0.1:1']);
    expect(refused.code).toBe(4);
  });

  it('exits 5 on a server error (JSON-RPC error, or a tool result with isError)', async () => {
    const rpcError = await runCli(['inspect', '--call', 'no-such-tool', '--', ...NASTY_MODERN]);
    expect(rpcError.code).toBe(5);
    expect(rpcError.stderr).toContain('Unknown tool');
    const toolError = await runCli(['inspect', '--call', 'no-such-tool', '--', ...DEMO_SERVER]);
    expect(toolError.code).toBe(5);
    expect(toolError.stdout).toContain('tool error');
  });

  it('exits 3 when the server requires authorization, sending --auth-token and --header', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="mcp"' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    const run = await runCli([
      'inspect',
      '--sse',
      `http://127.0.0.1:${port}/sse`,
      '--auth-token',
      'tok-1',
      '--header',
      'X-Api-Key: k1',
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/401.*--auth-token/);
    expect(seen[0]?.authorization).toBe('Bearer tok-1');
    expect(seen[0]?.['x-api-key']).toBe('k1');
  });
});

describe('runInspect usage errors (in-process)', () => {
  it.each([
    [{ format: 'xml' }, /--format "xml"/],
    [{ args: '{}' }, /--args\/--arg go with --call/],
    [{ call: 't', args: '[1]' }, /must be a JSON object/],
    [{ call: 't', arg: ['novalue'] }, /expected key=value/],
    [{ stderr: 'loud' }, /--stderr "loud"/],
  ])('%j exits 1 before connecting', async (options, message) => {
    const rec = recordingIo();
    expect(
      await runInspect(parseBackendTarget({ command: ['/nonexistent/never-spawned'] }), options, rec.io),
    ).toBe(1);
    expect(rec.err()).toMatch(message);
    expect(rec.err().trimEnd().split('\n')).toHaveLength(1);
  });

  it('an unknown scheme exits 1', async () => {
    const rec = recordingIo();
    expect(await runInspect(parseBackendTarget({ positional: ['nope://x'] }), {}, rec.io)).toBe(1);
    expect(rec.err()).toMatch(/Unsupported scheme "nope:"/);
  });
});

describe('runInspect colours (in-process)', () => {
  it('colours only on a TTY without NO_COLOR, or with FORCE_COLOR, and never with --no-color', async () => {
    const server = await serveDemo();
    cleanups.push(() => server.close());
    const target = parseBackendTarget({ positional: [server.uri] });
    const plain = recordingIo({});
    expect(await runInspect(target, {}, plain.io)).toBe(0);
    expect(plain.out()).not.toContain(ESC);
    const tty = recordingIo({});
    tty.io.stdout.isTTY = true;
    await runInspect(target, {}, tty.io);
    expect(tty.out()).toContain(ESC);
    const noColor = recordingIo({ NO_COLOR: '1' });
    noColor.io.stdout.isTTY = true;
    await runInspect(target, {}, noColor.io);
    expect(noColor.out()).not.toContain(ESC);
    const forced = recordingIo({ FORCE_COLOR: '1' });
    await runInspect(target, {}, forced.io);
    expect(forced.out()).toContain(ESC);
    const flag = recordingIo({ FORCE_COLOR: '1' });
    await runInspect(target, { color: false }, flag.io);
    expect(flag.out()).not.toContain(ESC);
    // JSON never has colours.
    const json = recordingIo({ FORCE_COLOR: '1' });
    await runInspect(target, { format: 'json' }, json.io);
    expect(() => JSON.parse(json.out()) as unknown).not.toThrow();
  });

  it('reports --max-pages cuts in the human output', async () => {
    const server = await serveNasty({ pageSize: 1 });
    cleanups.push(() => server.close());
    const rec = recordingIo();
    expect(await runInspect(parseBackendTarget({ positional: [server.uri] }), { maxPages: 1 }, rec.io)).toBe(
      0,
    );
    expect(rec.out()).toContain('warning tools/list: stopped after 1 pages');
  });
});
