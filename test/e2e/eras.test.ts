/**
 * Both protocol eras through `switchboard serve` on every frontend/backend pair that can carry them:
 * a 2026-07-28 client (SDK v2, auto negotiation) through to a 2026-07-28 server (SDK v2 over stdio, or
 * behind our transports), and a 2025 client through to a 2025 server (the 6×6 matrix covers that).
 * Legacy HTTP+SSE is 2024-11-05 only, so it has no 2026 row.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { Client, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connect } from '../../src/endpoint/registry.js';
import { MODERN_PROTOCOL_VERSION } from '../../src/protocol/versions.js';
import type { Transport } from '../../src/transport.js';
import { NASTY_SERVER_INFO } from '../fixtures/nasty-server.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { eventually } from '../proxy/harness.js';
import { networkFrontendFlags, serveOverStdio, startServe, type Started } from './processes.js';

type Kind = 'stdio' | 'tcp' | 'unix' | 'ws' | 'http';
const KINDS: Kind[] = ['stdio', 'tcp', 'unix', 'ws', 'http'];
const modernStdio = ['--', process.execPath, compiledFixture('modern-server.ts')];

describe.each(KINDS)('2026-07-28 through serve: backend %s', (backendKind) => {
  const started: Started[] = [];
  let backendArgs: string[] = [];
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-eras-'));
    if (backendKind === 'stdio') backendArgs = modernStdio;
    else {
      const listen = {
        tcp: 'tcp://127.0.0.1:0',
        unix: `unix://${path.join(dir, 'backend.sock')}`,
        ws: 'ws://127.0.0.1:0/mcp',
        http: 'http://127.0.0.1:0/mcp',
      }[backendKind];
      const front = await startServe(['--listen', listen, ...modernStdio]);
      started.push(front);
      backendArgs = [front.urls[0] as string];
    }
    const serve = await startServe([...networkFrontendFlags(dir), ...backendArgs]);
    started.push(serve);
    for (const url of serve.urls) urls[url.split(':')[0] as string] = url;
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(started.reverse().map((s) => s.stop()));
  });

  function transportFor(kind: Kind): Transport | StreamableHTTPClientTransport {
    if (kind === 'stdio') return serveOverStdio(backendArgs);
    if (kind === 'http') return new StreamableHTTPClientTransport(new URL(urls.http as string));
    return connect(urls[kind] as string);
  }

  it.each(KINDS)(
    '→ frontend %s: negotiates 2026-07-28, progress, multi-round-trip elicitation, log messages during a call',
    async (frontendKind) => {
      const client = new Client(
        { name: 'eras', version: '1.0.0' },
        { capabilities: { elicitation: {} }, versionNegotiation: { mode: 'auto' } },
      );
      client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { yes: true } }));
      await client.connect(transportFor(frontendKind));
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe(MODERN_PROTOCOL_VERSION);
        expect(client.getProtocolEra()).toBe('modern');
        const progress: number[] = [];
        const counted = await client.callTool(
          { name: 'countdown', arguments: { steps: 3 } },
          { onprogress: (p) => progress.push(p.progress) },
        );
        expect(counted.content).toEqual([{ type: 'text', text: 'done 3' }]);
        expect(progress.length).toBeGreaterThanOrEqual(2);
        expect(progress).toEqual([1, 2, 3].slice(0, progress.length));
        const confirmed = await client.callTool({ name: 'confirm', arguments: {} });
        expect(confirmed.content).toEqual([{ type: 'text', text: 'answer=accept {"yes":true}' }]);
        // Log messages the server sends during a call reach the caller (not only progress).
        const logs: unknown[] = [];
        client.setNotificationHandler('notifications/message', (n) => {
          logs.push(n.params.data);
        });
        const chatted = await client.callTool({
          name: 'chatty',
          arguments: { text: frontendKind },
          _meta: { [LOG_LEVEL_META_KEY]: 'debug' },
        });
        expect(chatted.content).toEqual([{ type: 'text', text: `chatted ${frontendKind}` }]);
        await eventually(() => logs.length >= 2);
        expect(logs).toEqual([`first: ${frontendKind}`, `second: ${frontendKind}`]);
      } finally {
        await client.close();
      }
    },
    60_000,
  );
});

describe('a 2025-era client against a 2026-only backend that is not built on an SDK', () => {
  const started: Started[] = [];
  afterAll(async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  });

  it('is bridged, and a feature only the 2025 era has gets a precise error naming it, not a hang', async () => {
    const serve = await startServe([
      '--listen',
      'tcp://127.0.0.1:0',
      '--',
      process.execPath,
      compiledFixture('nasty-server.ts'),
      '--era',
      'modern',
    ]);
    started.push(serve);
    const { Client: V1Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const client = new V1Client({ name: 'old', version: '1.0.0' });
    await client.connect(connect(serve.urls[0] as string), { timeout: 30_000 });
    try {
      expect(client.getServerVersion()?.name).toBe(NASTY_SERVER_INFO.name);
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      const tree = await client.callTool({ name: 'tree', arguments: {} });
      expect(tree.structuredContent).toEqual({ depth: 1, path: ['root'] });
      const error = await client
        .request({ method: 'tasks/list', params: {} }, z.object({}).passthrough(), { timeout: 30_000 })
        .then(
          () => undefined,
          (e: unknown) => e as { code?: number; message?: string },
        );
      // Not a hang: a request still unanswered after its 30 s timeout would reject with -32001.
      expect(error?.code).toBe(-32601);
      expect(error?.message).toMatch(/Tasks \(tasks\/list\).*2025-era feature.*2026-07-28/);
    } finally {
      await client.close();
    }
  }, 60_000);
});
