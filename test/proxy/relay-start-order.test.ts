/**
 * A backend may deliver messages inside its own `start()` (an in-memory peer that spoke first, a queue
 * connection that drains stored answers at once). The relay starts its frontend only after the backend,
 * and a frontend refuses to send before its start: such messages must wait for it, not be dropped.
 */
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { Relay } from '../../src/proxy/relay.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { StdioServerTransport } from '../../src/transports/stdio-server.js';
import { eventually } from './harness.js';

it('hands on what the backend delivered during its start once the frontend started, in order', async () => {
  const clientIn = new PassThrough();
  const clientOut = new PassThrough();
  const lines: { method?: string; params?: { data?: string } }[] = [];
  let text = '';
  clientOut.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    let nl: number;
    while ((nl = text.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(text.slice(0, nl)) as { method?: string; params?: { data?: string } });
      text = text.slice(nl + 1);
    }
  });
  const frontend = new StdioServerTransport({ stdin: clientIn, stdout: clientOut });
  const [backend, server] = InMemoryTransport.createLinkedPair();
  const backendErrors: Error[] = [];
  const frontendErrors: Error[] = [];
  // The server speaks before the relay started its backend end: delivered inside backend.start().
  const early: JSONRPCMessage[] = [1, 2, 3].map((n) => ({
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: { level: 'info', data: `early ${n}` },
  }));
  for (const m of early) await server.send(m);
  await server.start();
  const relay = new Relay(frontend, backend, {
    onError: (error, side) => (side === 'backend' ? backendErrors : frontendErrors).push(error),
  });
  await relay.start();
  try {
    // And a message after the start goes behind them.
    await server.send({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'late' },
    });
    await eventually(() => lines.length >= 4);
    expect(lines.map((m) => m.params?.data)).toEqual(['early 1', 'early 2', 'early 3', 'late']);
    expect(frontendErrors).toEqual([]);
    expect(backendErrors).toEqual([]);
  } finally {
    await relay.close();
    clientIn.end();
  }
});
