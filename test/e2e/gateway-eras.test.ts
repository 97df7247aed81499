/**
 * `serve --server …` bridges eras per server: SDK clients of both eras over HTTP (v1 and v2 in the 2025
 * era with sessions, v2 pinned to 2026-07-28 stateless) against a 2025-only server (server-everything),
 * a 2026-07-28-only server and a dual-era server behind one gateway — tool calls, elicitation round
 * trips and tools `list_changed` — and the REST adapter (an SDK v2 client, so 2026-07-28 against the
 * gateway) calling a tool of the 2025 server.
 */
import { StreamableHTTPClientTransport as V1HttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPClientTransport as V2HttpTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '../../src/transport.js';
import { CLIENTS, matrixClient, type ClientKind, type MatrixClient } from './era-matrix.js';
import { gatewayEraServers, newToolsFile, runGatewayEraCell, runListChanged } from './gateway-era-cells.js';
import { startServe, type Started, stopsInBackground } from './processes.js';

const toolsFile = newToolsFile();

// Each mode's serve stops while the next mode's tests run: its shutdown waits for the REST adapter's
// subscriptions/listen (a request that never ends on its own) until it is killed, and no test needs that.
const stopLater = stopsInBackground();

describe.each(['per-session', 'shared'] as const)(
  'serve --server: era bridge per server, %s mode',
  (mode) => {
    const servers = gatewayEraServers(toolsFile, mode);
    let serve: (Started & { urls: string[] }) | undefined;
    let http = '';
    beforeAll(async () => {
      serve = await startServe([
        '--listen',
        'http://127.0.0.1:0/mcp',
        '--session-mode',
        mode,
        ...servers.flatMap((s) => ['--server', `${s.name}=${s.command.join(' ')}`]),
        '--rest',
      ]);
      http = serve.urls.find((u) => u.startsWith('http:')) ?? '';
      expect(http).not.toBe('');
    }, 120_000);
    afterAll(() => {
      if (serve) stopLater(serve.stop());
    });

    const transport = (kind: ClientKind): Transport =>
      kind === 'sdk-v1' ? new V1HttpTransport(new URL(http)) : new V2HttpTransport(new URL(http));

    it(
      'bridges every client era to every server era, and passes list_changed on',
      { timeout: 180_000 },
      async () => {
        const clients: MatrixClient[] = [];
        try {
          for (const kind of CLIENTS) {
            const c = matrixClient(kind, `${mode}-${kind}`);
            await c.connect(transport(kind));
            clients.push(c);
          }
          for (const [i, c] of clients.entries())
            await runGatewayEraCell(c, servers, `${mode}-${CLIENTS[i]}`);
          for (const c of clients) await c.watchTools();
          await runListChanged(clients, servers, toolsFile, `serve-${mode}`);
        } finally {
          await Promise.allSettled(clients.map((c) => c.close()));
        }
      },
    );

    it(
      'serves the REST adapter (a 2026-07-28 client of the gateway) from servers of every era',
      { timeout: 60_000 },
      async () => {
        const origin = new URL(http).origin;
        const post = async (path: string, body: unknown): Promise<[number, string]> => {
          const res = await fetch(`${origin}/rest${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          return [res.status, await res.text()];
        };
        expect(await post('/tools/old__echo', { message: 'rest' })).toEqual([200, '"Echo: rest"']);
        expect(await post('/old/echo', { message: 'alias' })).toEqual([200, '"Echo: alias"']);
        expect(await post('/tools/modern__countdown', { steps: 1 })).toEqual([200, '"done 1"']);
        expect(await post('/tools/dual__countdown', { steps: 1 })).toEqual([200, '"done 1"']);
      },
    );
  },
);
