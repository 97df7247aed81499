import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend, parseBackendTarget, type BackendTargetInput } from '../../src/cli/backend-target.js';
import { listen } from '../../src/endpoint/registry.js';
import { inspectFailureKind } from '../../src/introspect/client.js';
import { inspectServer } from '../../src/introspect/inspect.js';
import type { InspectReport } from '../../src/introspect/report.js';
import type { Listener } from '../../src/listener.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { createNastyHandler, NASTY_TOOLS } from '../fixtures/nasty-server.js';
import { fixtureCommand } from '../fixtures/compiled.js';
import { projectFile } from '../fixtures/paths.js';
import { startEverything, type EverythingServer } from '../fixtures/http-client/everything.js';
import { publishedReportValidator } from './report-validator.js';

// `inspect` through real transports: child processes over stdio, and sockets on 127.0.0.1 / in tmpdir.

const EVERYTHING_BIN = projectFile('node_modules/.bin/mcp-server-everything');

function inspectTarget(input: BackendTargetInput): Promise<InspectReport> {
  const target = parseBackendTarget(input);
  return inspectServer(openBackend(target, { stderr: 'pipe' }), {
    target: { kind: 'test', description: 'test' },
    timeoutMs: 20_000,
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

// The nasty fixture behind a real listener of the registry (tcp, unix, ws, …).
async function listenNasty(uri: string): Promise<Listener> {
  const listener = await listen(uri, {
    onConnection(transport) {
      const handle = createNastyHandler();
      transport.onmessage = (message) => {
        const response = handle(message);
        if (response) void transport.send(response as unknown as JSONRPCMessage).catch(() => undefined);
      };
      void transport.start();
    },
  });
  cleanups.push(() => listener.close());
  return listener;
}

function expectEverything(report: InspectReport): void {
  expect(report.serverInfo?.name).toBe('mcp-servers/everything');
  const tools = report.tools.map((t) => t.name);
  expect(tools).toEqual(
    expect.arrayContaining(['echo', 'get-sum', 'get-tiny-image', 'trigger-long-running-operation']),
  );
  expect(report.resources.length).toBeGreaterThan(0);
  expect(report.resourceTemplates.length).toBeGreaterThan(0);
  expect(report.prompts.map((p) => p.name)).toEqual(expect.arrayContaining(['simple-prompt', 'args-prompt']));
}

describe('inspect over stdio', () => {
  it('server-everything: all tools, resources, templates and prompts; json valid against the published schema', async () => {
    const report = await inspectTarget({ command: [EVERYTHING_BIN, 'stdio'] });
    expectEverything(report);
    expect(report.protocol.era).toBe('session');
    const validate = await publishedReportValidator();
    expect(validate(JSON.parse(JSON.stringify(report)))).toEqual([]);
  });

  it('the conformance backend (SDK v1 low-level Server)', async () => {
    const report = await inspectTarget({ command: fixtureCommand('conformance-server.ts') });
    expect(report.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['test_simple_text', 'test_image_content']),
    );
    expect(report.resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['test://static-text']));
    expect(report.prompts.map((p) => p.name)).toEqual(expect.arrayContaining(['test_simple_prompt']));
    const validate = await publishedReportValidator();
    expect(validate(JSON.parse(JSON.stringify(report)))).toEqual([]);
  });

  it('the demo server (switchboard demo), command given with --cmd', async () => {
    const report = await inspectTarget({
      flags: { backend: 'stdio', cmd: `${process.execPath} ${projectFile('dist/cli.js')} demo` },
    });
    expect(report.tools.map((t) => t.name)).toEqual(['echo', 'add', 'countdown', 'sample']);
  });

  it('the nasty fixture speaking only the 2026-07-28 era', async () => {
    const report = await inspectTarget({
      command: fixtureCommand('nasty-server.ts', '--era', 'modern', '--page-size', '1'),
    });
    expect(report.protocol).toEqual({ version: '2026-07-28', era: 'stateless' });
    expect(report.tools.map((t) => t.name)).toEqual(NASTY_TOOLS.map((t) => t.name));
    expect(report.pages.tools).toBe(NASTY_TOOLS.length);
  });

  it('a command that does not exist, or exits at once, is unreachable', async () => {
    const missing = await inspectTarget({ command: ['/nonexistent/mcp-server'] }).catch((e: unknown) => e);
    expect(inspectFailureKind(missing)).toBe('unreachable');
    const exits = await inspectTarget({
      command: [process.execPath, '-e', 'console.error("bad config"); process.exit(3)'],
    }).catch((e: unknown) => e);
    expect(inspectFailureKind(exits)).toBe('unreachable');
    expect((exits as Error).message).toContain('bad config');
  });
});

describe('inspect over sockets', () => {
  it('tcp (--tcp host:port)', async () => {
    const listener = await listenNasty('tcp://127.0.0.1:0');
    const { port } = new URL(listener.url);
    const report = await inspectTarget({ flags: { backend: 'tcp', tcp: `127.0.0.1:${port}` } });
    expect(report.tools).toHaveLength(NASTY_TOOLS.length);
  });

  it('unix (--unix path)', async () => {
    const socket = path.join(os.tmpdir(), `sb-inspect-${randomUUID().slice(0, 8)}.sock`);
    await listenNasty(`unix://${socket}`);
    const report = await inspectTarget({ flags: { unix: socket } });
    expect(report.tools).toHaveLength(NASTY_TOOLS.length);
  });

  it('websocket (URI operand)', async () => {
    const listener = await listenNasty('ws://127.0.0.1:0/mcp');
    const report = await inspectTarget({ positional: [listener.url] });
    expect(report.tools).toHaveLength(NASTY_TOOLS.length);
  });

  it('tcp with nothing listening is unreachable', async () => {
    const error = await inspectTarget({ positional: ['tcp://127.0.0.1:1'] }).catch((e: unknown) => e);
    expect(inspectFailureKind(error)).toBe('unreachable');
  });
});

describe('inspect over HTTP', () => {
  let everything: EverythingServer | undefined;
  afterEach(async () => {
    await everything?.stop();
    everything = undefined;
  });

  it('server-everything over Streamable HTTP (--http URL)', async () => {
    everything = await startEverything('streamableHttp');
    const report = await inspectTarget({ flags: { http: everything.url.href } });
    expectEverything(report);
  });

  it('server-everything over legacy HTTP+SSE (--sse URL)', async () => {
    everything = await startEverything('sse');
    const report = await inspectTarget({ flags: { sse: everything.url.href } });
    expectEverything(report);
  });

  it('our HTTP listener: the 2026-07-28 era (nasty fixture) and the 2025 era (demo server)', async () => {
    const modern = await listenNasty('http://127.0.0.1:0/mcp');
    const stateless = await inspectTarget({ positional: [modern.url] });
    expect(stateless.protocol).toEqual({ version: '2026-07-28', era: 'stateless' });
    expect(stateless.tools).toHaveLength(NASTY_TOOLS.length);
    const demo = await listen('http://127.0.0.1:0/mcp', {
      onConnection: (transport) => void createDemoServer().connect(transport),
    });
    cleanups.push(() => demo.close());
    const session = await inspectTarget({ flags: { server: demo.url } });
    expect(session.protocol.era).toBe('session');
    expect(session.tools.map((t) => t.name)).toEqual(['echo', 'add', 'countdown', 'sample']);
  });
});
