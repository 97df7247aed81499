import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, listen } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import { callServerTool } from '../../src/introspect/call-tool.js';
import { inspectFailureKind } from '../../src/introspect/client.js';
import { inspectServer } from '../../src/introspect/inspect.js';
import { inspectReportJsonSchema, type InspectReport } from '../../src/introspect/report.js';
import type { Listener } from '../../src/listener.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import {
  NASTY_PROMPTS,
  NASTY_RESOURCES,
  NASTY_SERVER_INFO,
  NASTY_TEMPLATES,
  NASTY_TOOLS,
} from '../fixtures/nasty-server.js';
import { publishedReportValidator, REPORT_SCHEMA_FILE } from './report-validator.js';
import { serveDemo, serveNasty, type MemoryServer } from './servers.js';

const SCHEMA_FILE = REPORT_SCHEMA_FILE;
const target = { kind: 'memory', description: 'test' };

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const track = <T extends { close(): Promise<void> }>(server: T): T => {
  servers.push(server);
  return server;
};

// A raw server on memory: that answers requests with `respond` (undefined: no answer).
async function serveRaw(
  respond: (method: string, params: Record<string, unknown>) => unknown,
): Promise<MemoryServer> {
  const uri = `memory:raw-${randomUUID()}`;
  const listener: Listener = await listen(uri, {
    onConnection(transport) {
      transport.onmessage = (message) => {
        const m = message as { id?: string | number; method?: string; params?: Record<string, unknown> };
        if (m.id === undefined || m.method === undefined) return;
        const answer = respond(m.method, m.params ?? {});
        if (answer === undefined) return;
        const reply =
          (answer as { error?: unknown }).error !== undefined
            ? { jsonrpc: '2.0', id: m.id, ...(answer as object) }
            : { jsonrpc: '2.0', id: m.id, result: answer };
        void transport.send(reply as JSONRPCMessage).catch(() => undefined);
      };
      void transport.start();
    },
  });
  return { uri, close: () => listener.close() };
}

const legacyInit = (capabilities: Record<string, unknown>) => ({
  protocolVersion: '2025-11-25',
  capabilities,
  serverInfo: { name: 'raw', version: '1' },
});

describe('inspectServer', () => {
  it.each(['modern', 'legacy', 'both'] as const)(
    'walks every page of every list (nasty fixture, era %s)',
    async (era) => {
      const server = track(await serveNasty({ era, pageSize: 2 }));
      const report = await inspectServer(connect(server.uri), { target });
      expect(report.serverInfo).toEqual(NASTY_SERVER_INFO);
      expect(report.protocol).toEqual(
        era === 'legacy'
          ? { version: '2025-11-25', era: 'session' }
          : { version: '2026-07-28', era: 'stateless' },
      );
      expect(report.tools.map((t) => t.name)).toEqual(NASTY_TOOLS.map((t) => t.name));
      expect(report.tools[0]?.inputSchema).toEqual(NASTY_TOOLS[0]?.inputSchema);
      expect(report.resources.map((r) => r.uri)).toEqual(NASTY_RESOURCES.map((r) => r.uri));
      expect(report.resourceTemplates.map((r) => r.uriTemplate)).toEqual(
        NASTY_TEMPLATES.map((r) => r.uriTemplate),
      );
      expect(report.prompts.map((p) => p.name)).toEqual(NASTY_PROMPTS.map((p) => p.name));
      expect(report.pages).toEqual({ tools: 3, resources: 2, resourceTemplates: 2, prompts: 1 });
      expect(report.instructions).toContain('"""triple quotes"""');
      expect(report.capabilities).toHaveProperty('tools');
      expect(report.warnings).toEqual([]);
      expect(report.timing.totalMs).toBeGreaterThanOrEqual(report.timing.connectMs);
    },
  );

  it('produces reports valid against the published JSON Schema (ajv)', async () => {
    const validate = await publishedReportValidator();
    const reports: InspectReport[] = [];
    for (const era of ['modern', 'legacy'] as const) {
      const server = track(await serveNasty({ era }));
      reports.push(await inspectServer(connect(server.uri), { target }));
    }
    const demo = track(await serveDemo());
    reports.push(await inspectServer(connect(demo.uri), { target }));
    for (const report of reports) expect(validate(JSON.parse(JSON.stringify(report)))).toEqual([]);
    expect(validate({ ...reports[0], protocol: { version: 'x', era: 'other' } })).not.toEqual([]);
  });

  it('keeps the published schema file equal to the zod source (UPDATE_GOLDEN=1 rewrites it)', async () => {
    const generated = inspectReportJsonSchema();
    if (process.env.UPDATE_GOLDEN === '1') {
      const prettier = await import('prettier');
      await writeFile(SCHEMA_FILE, await prettier.format(JSON.stringify(generated), { parser: 'json' }));
    }
    // Compared as data: the file is formatted by prettier.
    expect(JSON.parse(await readFile(SCHEMA_FILE, 'utf8'))).toEqual(generated);
  });

  it('inspects the demo server (SDK v1, session era)', async () => {
    const server = track(await serveDemo());
    const report = await inspectServer(connect(server.uri), { target });
    expect(report.serverInfo?.name).toBe('switchboard-demo');
    expect(report.protocol.era).toBe('session');
    expect(report.tools.map((t) => t.name)).toEqual(['echo', 'add', 'countdown', 'sample']);
    expect(report.resources.map((r) => r.uri)).toEqual(['demo://readme']);
    expect(report.resourceTemplates.map((r) => r.uriTemplate)).toEqual(['demo://greeting/{name}']);
    expect(report.prompts.map((p) => p.name)).toEqual(['greet']);
  });

  it('stops at --max-pages with a warning', async () => {
    const server = track(await serveNasty({ pageSize: 1 }));
    const report = await inspectServer(connect(server.uri), { target, maxPages: 2 });
    expect(report.tools).toHaveLength(2);
    expect(report.pages.tools).toBe(2);
    expect(report.warnings.some((w) => w.startsWith('tools/list: stopped after 2 pages'))).toBe(true);
  });

  it('stops on a repeated cursor with a warning', async () => {
    let calls = 0;
    const server = track(
      await serveRaw((method) => {
        if (method === 'initialize') return legacyInit({ tools: {} });
        if (method === 'tools/list') {
          calls++;
          return { tools: [{ name: `t${calls}`, inputSchema: { type: 'object' } }], nextCursor: 'again' };
        }
        return { error: { code: -32601, message: 'Method not found' } };
      }),
    );
    const report = await inspectServer(connect(server.uri), { target });
    expect(report.tools.map((t) => t.name)).toEqual(['t1', 't2']);
    expect(report.warnings).toEqual(['tools/list: cursor "again" repeated; stopped after 2 pages']);
  });

  it('skips lists the server does not offer and notes advertised-but-missing ones', async () => {
    const server = track(
      await serveRaw((method) => {
        if (method === 'initialize') return legacyInit({ tools: {}, prompts: {} });
        if (method === 'tools/list') return { tools: [] };
        return { error: { code: -32601, message: 'Method not found' } };
      }),
    );
    const report = await inspectServer(connect(server.uri), { target });
    expect(report.pages).toEqual({ tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 });
    expect(report.warnings).toEqual(['prompts/list: method not found although the capability is advertised']);
  });

  it('fails with failure "server" when a list answers with an error', async () => {
    const server = track(
      await serveRaw((method) => {
        if (method === 'initialize') return legacyInit({ tools: {} });
        return { error: { code: -32603, message: 'database on fire' } };
      }),
    );
    const error = await inspectServer(connect(server.uri), { target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe('INSPECT_FAILED');
    expect(inspectFailureKind(error)).toBe('server');
    expect((error as Error).message).toContain('database on fire');
  });

  it('fails with failure "server" on an invalid initialize result', async () => {
    const server = track(
      await serveRaw((method) =>
        method === 'initialize' ? { nonsense: true } : { error: { code: -32601, message: 'no' } },
      ),
    );
    const error = await inspectServer(connect(server.uri), { target, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(inspectFailureKind(error)).toBe('server');
    expect((error as Error).message).not.toContain('\n');
  });

  it('fails with failure "unreachable" when nothing listens or nothing answers', async () => {
    const nobody = await inspectServer(connect(`memory:nobody-${randomUUID()}`), { target }).catch(
      (e: unknown) => e,
    );
    expect(inspectFailureKind(nobody)).toBe('unreachable');
    const silent = track(await serveRaw(() => undefined));
    const timedOut = await inspectServer(connect(silent.uri), { target, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(inspectFailureKind(timedOut)).toBe('unreachable');
  });
});

describe('callServerTool', () => {
  it('calls a tool over the session era (demo) and returns its result', async () => {
    const server = track(await serveDemo());
    const outcome = await callServerTool(connect(server.uri), { name: 'add', arguments: { a: 2, b: 3 } });
    expect(outcome.result.structuredContent).toEqual({ sum: 5 });
    expect(outcome.protocol.era).toBe('session');
  });

  it('calls a tool over the stateless era (nasty, modern)', async () => {
    const server = track(await serveNasty({ era: 'modern' }));
    const outcome = await callServerTool(connect(server.uri), { name: 'tree', arguments: {} });
    expect(outcome.protocol).toEqual({ version: '2026-07-28', era: 'stateless' });
    expect(outcome.result.structuredContent).toEqual({ depth: 1, path: ['root'] });
  });

  it('reports a JSON-RPC error of the call as failure "server"', async () => {
    const server = track(await serveNasty());
    const error = await callServerTool(connect(server.uri), { name: 'no-such-tool', arguments: {} }).catch(
      (e: unknown) => e,
    );
    expect(inspectFailureKind(error)).toBe('server');
    expect((error as Error).message).toContain('Unknown tool');
  });
});
