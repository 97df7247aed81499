import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect, listen, supportedSchemes } from '../../src/endpoint/registry.js';
import type { Transport } from '../../src/transport.js';
import { runTransportContract } from '../contract/transport-contract.js';

describe('endpoint registry', () => {
  it('rejects unknown schemes with a coded error listing the supported ones', () => {
    expect(() => connect('gopher://x')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_SCHEME' }) as Error,
    );
    expect(() => connect('gopher://x')).toThrow(/Supported: .*memory:demo/);
    expect(supportedSchemes()).toEqual(expect.arrayContaining(['memory', 'stdio']));
  });

  it('rejects malformed URIs with a coded error', () => {
    expect(() => connect('no scheme here')).toThrow(
      expect.objectContaining({ code: 'INVALID_URI' }) as Error,
    );
    expect(() => connect('memory:bad name!')).toThrow(
      expect.objectContaining({ code: 'INVALID_URI' }) as Error,
    );
  });

  it('stdio: needs a command from options', () => {
    expect(() => connect('stdio:')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as Error);
  });

  it('memory: serves one server per connection, found by name at start()', async () => {
    const listener = await listen('memory:registry-test', {
      onConnection: (t) => void createDemoServer().connect(t),
    });
    try {
      const clients = [new Client({ name: 'a', version: '1' }), new Client({ name: 'b', version: '1' })];
      await Promise.all(clients.map((c) => c.connect(connect('memory:registry-test'))));
      expect(listener.connectionCount).toBe(2);
      const texts = await Promise.all(
        clients.map(async (c, i) => {
          const r = await c.callTool({ name: 'echo', arguments: { message: `client ${i}` } });
          return (r.content as { text: string }[])[0]?.text;
        }),
      );
      expect(texts).toEqual(['client 0', 'client 1']);
      await clients[0]?.close();
      expect(listener.connectionCount).toBe(1);
    } finally {
      await listener.close();
    }
    expect(listener.connectionCount).toBe(0);
    await expect(
      new Client({ name: 'c', version: '1' }).connect(connect('memory:registry-test')),
    ).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
    });
  });
});

let counter = 0;
runTransportContract(
  'memory: endpoint (connect ↔ listen)',
  async () => {
    const name = `contract-${++counter}`;
    let accept!: (t: Transport) => void;
    const accepted = new Promise<Transport>((r) => (accept = r));
    const listener = await listen(`memory:${name}`, { onConnection: (t) => accept(t) });
    const client = connect(`memory:${name}`);
    const { LazyTransport } = await import('../../src/transports/lazy.js');
    return {
      client,
      server: new LazyTransport(() => accepted),
      cleanup: () => listener.close(),
    };
  },
  {
    skip: [{ test: 'backpressure', reason: 'in-memory delivery is synchronous; there is no buffer to fill' }],
  },
);
