/**
 * 50 concurrent 2026-07-28 clients (SDK v2, pinned) through `serve` against one 2025 server
 * (server-everything over Streamable HTTP: one process, a 2025 session per proxy-owned session), each
 * calling the elicitation tool at once. Every client holds its elicitation until all 50 are in flight —
 * so 50 calls are parked on the bridge at the same moment — then answers with its own name; every call
 * must come back with its own client's answer.
 */
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { startEverything, type EverythingServer } from '../fixtures/http-client/everything.js';
import { startServe, type Started } from './processes.js';

const CLIENTS = 50;

describe('era bridge under concurrency', () => {
  let everything: EverythingServer | undefined;
  let serve: (Started & { urls: string[] }) | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    everything = await startEverything('streamableHttp');
    serve = await startServe(['--listen', 'tcp://127.0.0.1:0', everything.url.href]);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await serve?.stop();
    await everything?.stop();
  });

  it(
    `${CLIENTS} 2026-07-28 clients, one 2025 server, elicitation in flight for all: every answer reaches its own call`,
    {
      timeout: 180_000,
    },
    async () => {
      let waiting = 0;
      let releaseAll!: () => void;
      const allInFlight = new Promise<void>((resolve) => (releaseAll = resolve));
      for (let i = 0; i < CLIENTS; i++) {
        const client = new Client(
          { name: `concurrent-${i}`, version: '1.0.0' },
          { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
        );
        client.setRequestHandler('elicitation/create', async () => {
          if (++waiting === CLIENTS) releaseAll();
          await allInFlight;
          return { action: 'accept', content: { name: `client-${i}` } };
        });
        clients.push(client);
      }
      await Promise.all(
        clients.map((c) => c.connect(connect(serve?.urls[0] as string) as Parameters<Client['connect']>[0])),
      );
      const results = await Promise.all(
        clients.map((c) =>
          c.callTool({ name: 'trigger-elicitation-request', arguments: {} }, { timeout: 120_000 }),
        ),
      );
      expect(waiting).toBe(CLIENTS);
      results.forEach((result, i) => {
        const text = (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
        const names = [...text.matchAll(/client-(\d+)\b/g)].map((m) => Number(m[1]));
        expect(names.length).toBeGreaterThan(0);
        expect(new Set(names)).toEqual(new Set([i]));
      });
    },
  );
});
