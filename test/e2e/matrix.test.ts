/**
 * The 6×6 matrix: every backend kind × every frontend kind through `switchboard serve` (the real CLI),
 * with the real server-everything behind it. Where server-everything cannot serve a transport itself
 * (tcp, unix, ws), another `switchboard serve` fronts it over stdio on that transport.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import type { Transport } from '../../src/transport.js';
import {
  EVERYTHING,
  networkFrontendFlags,
  serveOverStdio,
  startEverything,
  startServe,
  type Started,
  stopsInBackground,
} from './processes.js';
import { ProgressTap } from './progress-tap.js';

type Kind = 'stdio' | 'tcp' | 'unix' | 'ws' | 'http' | 'sse';
const KINDS: Kind[] = ['stdio', 'tcp', 'unix', 'ws', 'http', 'sse'];
const everythingStdio = ['--', process.execPath, EVERYTHING, 'stdio'];

/** Starts what a backend of `kind` needs and returns the serve arguments that name it. */
async function backend(kind: Kind, dir: string, started: Started[]): Promise<string[]> {
  switch (kind) {
    case 'stdio':
      return everythingStdio;
    case 'http': {
      const s = await startEverything('streamableHttp');
      started.push(s);
      return [`${s.url}/mcp`];
    }
    case 'sse': {
      const s = await startEverything('sse');
      started.push(s);
      return [`sse+${s.url}/sse`];
    }
    case 'tcp':
    case 'unix':
    case 'ws': {
      const listen = {
        tcp: 'tcp://127.0.0.1:0',
        unix: `unix://${path.join(dir, 'backend.sock')}`,
        ws: 'ws://127.0.0.1:0/mcp',
      }[kind];
      const front = await startServe(['--listen', listen, ...everythingStdio]);
      started.push(front);
      return [front.urls[0] as string];
    }
  }
}

function clientTransport(kind: Kind, urls: Record<string, string>, backendArgs: string[]): Transport {
  switch (kind) {
    case 'stdio':
      return serveOverStdio(backendArgs);
    case 'tcp':
    case 'unix':
    case 'ws':
      return connect(urls[kind] as string);
    case 'http':
      return new StreamableHTTPClientTransport(new URL(urls.http as string));
    case 'sse':
      return new SSEClientTransport(new URL('/sse', urls.http));
  }
}

// Each backend's processes stop while the next backend's cells run (their shutdowns take a while), and
// no cell needs them gone.
const stopLater = stopsInBackground();

describe.each(KINDS)('backend %s', (backendKind) => {
  const started: Started[] = [];
  let backendArgs: string[] = [];
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-matrix-'));
    backendArgs = await backend(backendKind, dir, started);
    const args = [...networkFrontendFlags(dir), ...backendArgs];
    const serve = await startServe(args);
    started.push(serve);
    for (const url of serve.urls)
      urls[url.split(':')[0] === 'unix' ? 'unix' : (url.split(':')[0] as string)] = url;
  }, 60_000);

  afterAll(() => {
    stopLater(Promise.allSettled(started.reverse().map((s) => s.stop())));
  });

  it.each(KINDS)(
    `→ frontend %s: initialize, list, progress, sampling`,
    async (frontendKind) => {
      const client = new Client({ name: 'matrix', version: '1.0.0' }, { capabilities: { sampling: {} } });
      const prompts: string[] = [];
      client.setRequestHandler(CreateMessageRequestSchema, (req) => {
        const c = req.params.messages[0]?.content;
        prompts.push(c && 'text' in c ? String(c.text) : '');
        return {
          role: 'assistant',
          content: { type: 'text', text: `sampled via ${frontendKind}` },
          model: 'm',
        };
      });
      const transport = clientTransport(frontendKind, urls, backendArgs);
      await client.connect(transport);
      const wire = new ProgressTap(transport);
      try {
        expect(client.getServerVersion()?.name).toMatch(/everything/i);
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(
          expect.arrayContaining(['echo', 'trigger-long-running-operation', 'trigger-sampling-request']),
        );
        const progress: number[] = [];
        const long = await client.callTool(
          { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
          undefined,
          {
            onprogress: (p) => progress.push(p.progress),
          },
        );
        expect(JSON.stringify(long.content)).toContain('completed');
        // All three reached the client, in order, before the answer.
        expect(wire.lastCall()).toEqual({ progress: [1, 2, 3], answered: true });
        if (frontendKind === 'http' || frontendKind === 'sse') {
          // The SDK's own HTTP/SSE client transports hand the Client every message of one network read in
          // the same tick; the Client handles notifications a microtask late, and the answer has removed
          // the call's progress handler by then (see ProgressTap). Those that came with the answer are
          // missing here; the others are in order.
          expect(progress).toEqual([1, 2, 3].slice(0, progress.length));
        } else {
          expect(progress).toEqual([1, 2, 3]);
        }
        const sampled = await client.callTool({
          name: 'trigger-sampling-request',
          arguments: { prompt: `hello from ${frontendKind}`, maxTokens: 5 },
        });
        expect(prompts).toEqual([expect.stringContaining(`hello from ${frontendKind}`)]);
        expect(JSON.stringify(sampled.content)).toContain(`sampled via ${frontendKind}`);
      } finally {
        await client.close();
      }
    },
    60_000,
  );
});
