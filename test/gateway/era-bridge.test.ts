/**
 * Every gateway server is era-bridged: SDK clients of both eras (v1, v2 in 2025 mode, v2 pinned to
 * 2026-07-28), in process, against a 2025-only server (server-everything), a 2026-07-28-only server
 * and a dual-era server behind one gateway — tool calls, elicitation round trips (a 2025 server's
 * `elicitation/create` reaches a 2026-07-28 client as `input_required` and back; a 2026 server's
 * `input_required` reaches a 2025 client as `elicitation/create`), and tools `list_changed`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/gateway/index.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { CLIENTS, matrixClient, type MatrixClient } from '../e2e/era-matrix.js';
import {
  gatewayEraServers,
  newToolsFile,
  runGatewayEraCell,
  runListChanged,
} from '../e2e/gateway-era-cells.js';

const toolsFile = newToolsFile();

describe.each(['per-session', 'shared'] as const)('gateway era bridge in process, %s mode', (mode) => {
  const servers = gatewayEraServers(toolsFile, mode);
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = new Gateway({
      servers: servers.map((s) => ({
        name: s.name,
        sessionMode: mode,
        connect: () =>
          new StdioClientTransport({
            command: s.command[0] as string,
            args: s.command.slice(1),
            stderr: 'pipe',
          }),
      })),
    });
    await gateway.start();
    expect(gateway.catalog.statuses().map((s) => s.status)).toEqual(['up', 'up', 'up']);
  }, 60_000);
  afterAll(async () => {
    await gateway.close({ graceMs: 0 });
  });

  it(
    'bridges every client era to every server era, and passes list_changed on',
    { timeout: 120_000 },
    async () => {
      const clients: MatrixClient[] = [];
      try {
        for (const kind of CLIENTS) {
          const c = matrixClient(kind, `${mode}-${kind}`);
          await c.connect(gateway.connect());
          clients.push(c);
        }
        // Shared mode: one after the other (a shared 2025 connection tells concurrent askers apart by guess).
        for (const [i, c] of clients.entries()) await runGatewayEraCell(c, servers, `${mode}-${CLIENTS[i]}`);
        for (const c of clients) await c.watchTools();
        await runListChanged(clients, servers, toolsFile, `${mode}-tool`);
      } finally {
        await Promise.allSettled(clients.map((c) => c.close()));
      }
    },
  );
});
