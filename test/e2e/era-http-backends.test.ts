/**
 * The era bridge towards 2026-07-28 backends over HTTP:
 * - a 2025 client through `serve --backend-era 2026` to a 2026-only backend reached over Streamable
 *   HTTP (a second `serve` relaying the SDK v2 server limited to 2026-07-28): the matrix's features,
 *   plus `Mcp-Param-*` headers the bridge computes from `x-mcp-header` annotations (the far side
 *   refuses a request without them with -32020);
 * - a 2026-07-28 client's `Mcp-Param-*` headers, known and unknown, forwarded by `serve` to an HTTP
 *   backend (a raw 2026-07-28 server that reports the headers it got).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { eraServerProfile, matrixClient, runCell } from './era-matrix.js';
import { startServe, type Started } from './processes.js';

const started: Started[] = [];
afterAll(async () => {
  await Promise.allSettled(started.reverse().map((s) => s.stop()));
});

describe('2025 client → serve → 2026-07-28-only backend over HTTP', () => {
  const profile = eraServerProfile('modern');
  let front: (Started & { urls: string[] }) | undefined;

  beforeAll(async () => {
    const far = await startServe(['--listen', 'http://127.0.0.1:0/mcp', '--', ...profile.command]);
    started.push(far);
    front = await startServe([
      '--listen',
      'tcp://127.0.0.1:0',
      '--backend-era',
      '2026',
      far.urls[0] as string,
    ]);
    started.push(front);
  }, 60_000);

  it.each(['sdk-v1', 'sdk-v2-2025'] as const)(
    '%s client: every feature, and Mcp-Param-* headers',
    { timeout: 120_000 },
    async (kind) => {
      const c = matrixClient(kind, `http-backend-${kind}`);
      await c.connect(connect(front?.urls[0] as string));
      try {
        await runCell(c, profile, `http-backend-${kind}`);
        // The far side knows the tool's x-mcp-header annotation: without a matching header it refuses.
        expect(await c.call('region', { region: 'eu-west ü' })).toBe('region eu-west ü');
      } finally {
        await c.close();
      }
    },
  );
});

describe('2026-07-28 client → serve → HTTP backend', () => {
  let backend: http.Server | undefined;
  let front: (Started & { urls: string[] }) | undefined;

  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method !== 'POST') return void res.writeHead(405).end();
        const m = JSON.parse(body) as { id?: string | number; method: string };
        if (m.id === undefined) return void res.writeHead(202).end();
        const meta = { 'io.modelcontextprotocol/serverInfo': { name: 'raw-2026', version: '1' } };
        let result: Record<string, unknown>;
        if (m.method === 'server/discover') {
          result = {
            supportedVersions: ['2026-07-28'],
            capabilities: { tools: {} },
            ttlMs: 0,
            cacheScope: 'private',
          };
        } else if (m.method === 'tools/call') {
          const mcp = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('mcp-')));
          result = { content: [{ type: 'text', text: JSON.stringify(mcp) }] };
        } else {
          res.writeHead(400, { 'content-type': 'application/json' });
          return void res.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: m.id,
              error: {
                code: -32022,
                message: 'Unsupported protocol version',
                data: { supported: ['2026-07-28'] },
              },
            }),
          );
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: m.id,
            result: { ...result, resultType: 'complete', _meta: meta },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
    const port = (backend.address() as AddressInfo).port;
    front = await startServe(['--listen', 'http://127.0.0.1:0/mcp', `http://127.0.0.1:${port}/mcp`]);
    started.push(front);
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (backend ? backend.close(() => resolve()) : resolve()));
  });

  it('forwards known and unknown Mcp-Param-* headers with the request', async () => {
    const res = await fetch(front?.urls[0] as string, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'anything',
        'mcp-param-unknown': 'kept',
        'mcp-param-other': '=?base64?w7w=?=',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'anything',
          arguments: {},
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          },
        },
      }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { result: { content: { text: string }[] } };
    const seen = JSON.parse(answer.result.content[0]?.text ?? '{}') as Record<string, string>;
    expect(seen).toMatchObject({
      'mcp-method': 'tools/call',
      'mcp-name': 'anything',
      'mcp-param-unknown': 'kept',
      'mcp-param-other': '=?base64?w7w=?=',
    });
  });
});
