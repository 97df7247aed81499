import { randomUUID } from 'node:crypto';
import { listen } from '../../src/endpoint/registry.js';
import type { Listener } from '../../src/listener.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { createNastyHandler, type NastyOptions } from '../fixtures/nasty-server.js';

/** A server listening on a fresh `memory:` endpoint; `close()` stops it. */
export interface MemoryServer {
  uri: string;
  close(): Promise<void>;
}

async function serve(onConnection: Parameters<typeof listen>[1]['onConnection']): Promise<MemoryServer> {
  const uri = `memory:test-${randomUUID()}`;
  const listener: Listener = await listen(uri, { onConnection });
  return { uri, close: () => listener.close() };
}

/** The nasty fixture server (raw JSON-RPC, both eras) on a memory: endpoint. */
export function serveNasty(options: NastyOptions = {}): Promise<MemoryServer> {
  return serve((transport) => {
    const handle = createNastyHandler(options);
    transport.onmessage = (message) => {
      const response = handle(message);
      if (response) void transport.send(response as unknown as JSONRPCMessage).catch(() => undefined);
    };
    void transport.start();
  });
}

/** The demo server (SDK v1, session era) on a memory: endpoint. */
export function serveDemo(): Promise<MemoryServer> {
  return serve((transport) => {
    void createDemoServer().connect(transport);
  });
}
