/**
 * The era cells of a gateway: every client era against a 2025-only server (server-everything), a
 * 2026-07-28-only server and a dual-era server (the SDK v2 era fixture) behind one gateway — a tool
 * call, elicitation, sampling and roots round trips per server, and a tools `list_changed` from the
 * servers.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fixture } from '../fixtures/paths.js';
import { ROOT_URI, eventually, type MatrixClient } from './era-matrix.js';
import { EVERYTHING } from './processes.js';

/** One server of the gateway and how its cells exercise it. */
export interface GatewayEraServer {
  name: string;
  /** The command (executable first). */
  command: string[];
  /** A tool call whose answer contains the token. */
  call(c: MatrixClient, token: string): Promise<string>;
  /** An elicitation round trip (the matrix client answers with the token). */
  elicit(c: MatrixClient): Promise<string>;
  /** A sampling round trip (answered with the token). */
  sample(c: MatrixClient): Promise<string>;
  /** A roots round trip (answered with {@link ROOT_URI}); absent where it cannot be per client. */
  roots?: ((c: MatrixClient) => Promise<string>) | undefined;
  /** Whether the server adds a tool per line of the tools file. */
  addsTools: boolean;
}

/** A fresh tools file for the era fixtures' `--tools-file` (empty: no tool added yet). */
export function newToolsFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gateway-eras-')), 'tools.txt');
  writeFileSync(file, '');
  return file;
}

/** The three servers: 2025 (`old`), 2026-07-28 only (`modern`), both eras (`dual`). */
export function gatewayEraServers(toolsFile: string, mode: 'per-session' | 'shared'): GatewayEraServer[] {
  const eraServer = (era: 'modern' | 'dual'): GatewayEraServer => ({
    name: era,
    command: [process.execPath, fixture('era-server.mjs'), '--era', era, '--tools-file', toolsFile],
    call: (c) => c.call(`${era}__countdown`, { steps: 1 }),
    elicit: (c) => c.call(`${era}__confirm`, {}),
    sample: (c) => c.call(`${era}__sample`, { question: 'gateway' }),
    roots: (c) => c.call(`${era}__roots`, {}),
    addsTools: true,
  });
  return [
    {
      name: 'old',
      command: [process.execPath, EVERYTHING, 'stdio'],
      call: (c, token) => c.call('old__echo', { message: token }),
      elicit: (c) => c.call('old__trigger-elicitation-request', {}),
      sample: (c) => c.call('old__trigger-sampling-request', { prompt: 'gateway' }),
      // server-everything asks for roots once per connection and keeps them: on a shared connection they
      // are the first session's (the gateway's catalog session has none), whatever the client's era.
      roots: mode === 'shared' ? undefined : (c) => c.call('old__get-roots-list', {}),
      addsTools: false,
    },
    eraServer('modern'),
    eraServer('dual'),
  ];
}

/** A tool call and an elicitation round trip with each server, each step failing with its own name. */
export async function runGatewayEraCell(
  c: MatrixClient,
  servers: readonly GatewayEraServer[],
  token: string,
): Promise<void> {
  if (c.era === '2026-07-28') expect(c.negotiated(), 'negotiated version').toBe('2026-07-28');
  const tools = await c.tools();
  for (const s of servers) {
    expect(tools, `${s.name}: tools/list`).toEqual(
      expect.arrayContaining([expect.stringMatching(`^${s.name}__`)]),
    );
    const called = await s.call(c, token);
    expect(called, `${s.name}: tools/call`).toMatch(s.name === 'old' ? token : /done 1/);
    expect(await s.elicit(c), `${s.name}: elicitation round trip`).toContain(token);
    expect(await s.sample(c), `${s.name}: sampling round trip`).toContain(token);
    if (s.roots) expect(await s.roots(c), `${s.name}: roots round trip`).toContain(ROOT_URI);
  }
}

/**
 * Adds a tool to the servers that watch `toolsFile`; every client must see tools `list_changed`, the
 * new tools listed, and be able to call them.
 */
export async function runListChanged(
  clients: readonly MatrixClient[],
  servers: readonly GatewayEraServer[],
  toolsFile: string,
  line: string,
): Promise<void> {
  const before = clients.map((c) => c.toolsChanged());
  appendFileSync(toolsFile, `${line}\n`);
  const adders = servers.filter((s) => s.addsTools).map((s) => `${s.name}__added-${line}`);
  for (const [i, c] of clients.entries()) {
    await eventually(() => c.toolsChanged() > (before[i] as number), `${c.era} client: tools list_changed`);
    await eventually(async () => {
      const tools = await c.tools();
      return adders.every((name) => tools.includes(name));
    }, `${c.era} client: the added tools listed`);
    for (const name of adders) expect(await c.call(name, {}), `${name} callable`).toBe(`added ${line}`);
  }
}
