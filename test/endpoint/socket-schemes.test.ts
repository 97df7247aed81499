import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, listen, supportedSchemes } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import type { Listener } from '../../src/listener.js';
import { SocketTransport } from '../../src/transports/socket-transport.js';
import { WebSocketTransport } from '../../src/transports/websocket-transport.js';
import { tmpSocketPath } from '../transports/socket-pairs.js';

const listeners: Listener[] = [];
afterEach(async () => {
  await Promise.allSettled(listeners.splice(0).map((l) => l.close({ graceMs: 100 })));
});

const noop = (): void => undefined;
const hasIpv6Loopback = Object.values(os.networkInterfaces())
  .flat()
  .some((a) => a?.address === '::1');

/** The error `fn` throws (synchronously or as a rejection). */
async function errorOf(fn: () => unknown): Promise<SwitchboardError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchboardError);
    return error as SwitchboardError;
  }
  throw new Error('expected an error');
}

describe('socket and WebSocket schemes', () => {
  it('are registered', () => {
    expect(supportedSchemes()).toEqual(expect.arrayContaining(['tcp', 'tls', 'unix', 'ws', 'wss']));
  });

  it.each([
    ['tcp://127.0.0.1:7000', SocketTransport],
    ['tls://localhost:7443', SocketTransport],
    ['unix:///run/mcp.sock', SocketTransport],
    ['ws://127.0.0.1:8080/mcp', WebSocketTransport],
    ['wss://mcp.example.com/mcp', WebSocketTransport],
  ])('connect(%s) returns an unstarted transport', (uri, type) => {
    expect(connect(uri)).toBeInstanceOf(type);
  });

  it('listen → connect round trip works for each scheme', async () => {
    for (const uri of ['tcp://127.0.0.1:0', `unix://${tmpSocketPath()}`, 'ws://127.0.0.1:0/mcp']) {
      const listener = await listen(uri, {
        onConnection: (t) => {
          t.onmessage = (m) => void t.send({ jsonrpc: '2.0', id: m.id as number, result: { uri } });
          void t.start();
        },
      });
      listeners.push(listener);
      const client = connect(listener.url);
      const reply = new Promise((resolve) => (client.onmessage = resolve));
      await client.start();
      await client.send({ jsonrpc: '2.0', id: 1, method: 'which' });
      expect(await reply).toEqual({ jsonrpc: '2.0', id: 1, result: { uri } });
      await client.close();
    }
  });

  it.each([
    ['tcp://127.0.0.1', 'INVALID_URI', /port is required/],
    ['tcp://:7000', 'INVALID_URI', /.+/],
    ['tcp://127.0.0.1:0', 'INVALID_URI', /port 0/],
    ['tcp://127.0.0.1:7000/path', 'INVALID_URI', /only host and port/],
    ['tcp://user:pw@127.0.0.1:7000', 'INVALID_URI', /credentials/],
    ['tls://127.0.0.1:7000?x=1', 'INVALID_URI', /only host and port/],
    ['unix:relative.sock', 'UNSAFE_SOCKET_PATH', /absolute path/],
    ['unix:///tmp/../etc/x.sock', 'UNSAFE_SOCKET_PATH', /\.\./],
    ['unix://host/x.sock', 'INVALID_URI', /host part/],
    ['unix:', 'INVALID_URI', /path is required/],
    ['ws://user:pw@127.0.0.1:8080/', 'INVALID_URI', /Credentials/],
    ['tcp:/\\bad', 'INVALID_URI', /.+/],
  ])('connect(%s) fails with %s', async (uri, code, message) => {
    const error = await errorOf(() => connect(uri));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('unknown schemes list the supported ones, including the socket schemes', async () => {
    const error = await errorOf(() => connect('gopher://x:70'));
    expect(error.code).toBe('UNSUPPORTED_SCHEME');
    for (const example of ['tcp://127.0.0.1:7000', 'tls://', 'unix:///', 'ws://', 'wss://']) {
      expect(error.message).toContain(example);
    }
  });

  it.each([
    ['tls://127.0.0.1:0', 'INVALID_OPTIONS'],
    ['wss://127.0.0.1:0/mcp', 'INVALID_OPTIONS'],
    ['ws://127.0.0.1:0/mcp?x=1', 'INVALID_URI'],
    ['tcp://127.0.0.1', 'INVALID_URI'],
  ])('listen(%s) without what it needs fails with %s', async (uri, code) => {
    const error = await errorOf(() => listen(uri, { onConnection: noop }));
    expect(error.code).toBe(code);
  });

  it('listen on a busy port fails with LISTEN_FAILED (EADDRINUSE)', async () => {
    const first = await listen('tcp://127.0.0.1:0', { onConnection: noop });
    listeners.push(first);
    const error = await errorOf(() => listen(first.url, { onConnection: noop }));
    expect(error).toMatchObject({ code: 'LISTEN_FAILED', details: { systemCode: 'EADDRINUSE' } });
  });

  it('connecting to a closed port fails with CONNECTION_FAILED (ECONNREFUSED)', async () => {
    const l = await listen('tcp://127.0.0.1:0', { onConnection: noop });
    await l.close();
    const error = await errorOf(() => connect(l.url).start());
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', details: { systemCode: 'ECONNREFUSED' } });
  });

  it.skipIf(!hasIpv6Loopback)('IPv6 hosts keep their brackets in the listener url', async () => {
    const listener = await listen('tcp://[::1]:0', { onConnection: (t) => void t.close() });
    listeners.push(listener);
    expect(listener.url).toMatch(/^tcp:\/\/\[::1\]:\d+$/);
    const t = connect(listener.url);
    await t.start();
    await t.close();
  });
});
