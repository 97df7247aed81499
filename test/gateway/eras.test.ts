/**
 * Both protocol eras on the gateway's frontend, with servers of the same era: a 2026-07-28 client
 * (SDK v2, auto negotiation) sees the merged catalog through `server/discover` and stamped lists, and
 * reaches a 2026-07-28 server (SDK v2 over stdio) with progress and a multi-round-trip elicitation; a
 * 2025 client reaches the same server through the gateway's replayed `initialize`.
 */
import { Client } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/gateway/index.js';
import { MODERN_PROTOCOL_VERSION } from '../../src/protocol/versions.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { NASTY_TOOLS } from '../fixtures/nasty-server.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { textOf } from './clients.js';
import { newProbeLog, probeConnect } from './probe-server.js';

let gateway: Gateway;

beforeAll(async () => {
  gateway = new Gateway({
    servers: [
      {
        name: 'modern',
        connect: () =>
          new StdioClientTransport({
            command: process.execPath,
            args: [compiledFixture('modern-server.ts')],
            stderr: 'pipe',
          }),
      },
      { name: 'old', connect: probeConnect('old', newProbeLog()) },
      {
        // Refuses initialize: the catalog session must fall back to server/discover.
        name: 'strict',
        connect: () =>
          new StdioClientTransport({
            command: process.execPath,
            args: [compiledFixture('nasty-server.ts'), '--era', 'modern', '--page-size', '1'],
            stderr: 'pipe',
          }),
      },
    ],
  });
  await gateway.start();
}, 60_000);

afterAll(async () => {
  await gateway.close({ graceMs: 0 });
});

describe('gateway frontend eras', () => {
  it('serves a 2026-07-28 client: discover, stamped lists, progress and MRTR through to a modern server', async () => {
    const client = new Client(
      { name: 'eras', version: '1.0.0' },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: 'auto' } },
    );
    client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { yes: true } }));
    await client.connect(gateway.connect());
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN_PROTOCOL_VERSION);
      // A modern-only server is listed through server/discover and every page of its lists.
      expect(gateway.catalog.era('strict')).toBe('stateless');
      expect(gateway.catalog.list('tools').filter((t) => String(t.name).startsWith('strict__'))).toHaveLength(
        NASTY_TOOLS.length,
      );
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['modern__echo', 'modern__countdown', 'modern__confirm', 'old__echo']),
      );
      const progress: number[] = [];
      const counted = await client.callTool(
        { name: 'modern__countdown', arguments: { steps: 3 } },
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(counted.content).toEqual([{ type: 'text', text: 'done 3' }]);
      expect(progress.length).toBeGreaterThanOrEqual(2);
      const confirmed = await client.callTool({ name: 'modern__confirm', arguments: {} });
      expect(confirmed.content).toEqual([{ type: 'text', text: 'answer=accept {"yes":true}' }]);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('serves a 2025 client: the modern server is reached through the replayed initialize', async () => {
    const client = new V1Client({ name: 'old-client', version: '1.0.0' });
    await client.connect(gateway.connect());
    try {
      const echoed = await client.callTool({ name: 'modern__echo', arguments: { text: 'hi' } });
      expect(textOf(echoed)).toBe('hi');
      expect(textOf(await client.callTool({ name: 'old__echo', arguments: { text: 'x' } }))).toBe('old:x');
    } finally {
      await client.close();
    }
  }, 60_000);
});
