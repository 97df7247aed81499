/**
 * The official `@modelcontextprotocol/conformance` server suite (0.1.13, run offline as a child process)
 * against our Streamable HTTP listener fronting the conformance backend, in both response modes.
 * Every scenario must pass, with no warnings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseMode } from '../../src/transports/http/server/options.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createConformanceServer } from '../fixtures/conformance-server.js';
import { startHttp } from '../fixtures/http-server-harness.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { runConformanceSuite } from '../fixtures/conformance-suite.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each<[ResponseMode, 'active' | 'all']>([
  ['sse', 'all'],
  ['json', 'active'],
])('conformance server suite, %s response mode (%s scenarios)', (mode, suite) => {
  it('passes every scenario', { timeout: 180_000 }, async () => {
    const s = await startHttp(
      (transport, info) => {
        if (info.era === 'stateless') return void transport.close(); // the suite speaks the 2025 era
        void createConformanceServer().connect(transport);
      },
      { responseMode: mode },
    );
    cleanups.push(() => s.listener.close({ graceMs: 500 }));
    const { code, output, passed, failed } = await runConformanceSuite(s.url.href, suite);
    expect(failed, output).toBe(0);
    expect(passed, output).toBeGreaterThanOrEqual(suite === 'all' ? 47 : 39);
    expect(output).not.toMatch(/\bWARNING\b/);
    expect(code, output).toBe(0);
    expect(s.errors).toEqual([]);
  });
});

describe('conformance backend', () => {
  it('also runs as a child process over stdio', { timeout: 60_000 }, async () => {
    const client = new Client({ name: 'stdio-check', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [compiledFixture('conformance-server.ts')],
        stderr: 'pipe',
      }),
    );
    cleanups.push(() => client.close());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('test_simple_text');
    const result = await client.callTool({ name: 'test_simple_text', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'This is a simple text response for testing.' }]);
  });
});
