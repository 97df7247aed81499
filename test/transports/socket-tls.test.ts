import tls from 'node:tls';
import net from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect, listen } from '../../src/endpoint/registry.js';
import type { ConnectOptions } from '../../src/endpoint/scheme.js';
import { SwitchboardError } from '../../src/errors.js';
import type { Listener } from '../../src/listener.js';
import { isRequest } from '../../src/protocol/messages.js';
import type { MessageExtraInfo } from '../../src/transport.js';
import { SocketTransport } from '../../src/transports/socket-transport.js';
import { testCerts, type TestCerts } from '../fixtures/certs.js';
import { eventually, serveEach, type Accepted } from './socket-pairs.js';

let certs: TestCerts;
beforeAll(async () => {
  certs = await testCerts();
});

const listeners: Listener[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(listeners.splice(0).map((l) => l.close({ graceMs: 200 })));
});

/** Tries an MCP session (initialize + ping) against `url`; resolves with the error, if any. */
async function attempt(url: string, options: ConnectOptions): Promise<unknown> {
  const client = new Client({ name: 'tls-test', version: '1.0.0' });
  clients.push(client);
  try {
    await client.connect(connect(url, options));
    await client.ping({ timeout: 5_000 });
    return undefined;
  } catch (error) {
    return error;
  }
}

describe.each(['tls://localhost:0', 'wss://localhost:0/mcp'])('mTLS on %s', (uri) => {
  let served: Awaited<ReturnType<typeof serveEach>>;
  beforeAll(async () => {
    served = await serveEach(uri, createDemoServer, {
      tls: { ...certs.server, ca: certs.ca, requestCert: true },
    });
    return () => served.listener.close({ graceMs: 200 });
  });

  it('accepts a client certificate issued by the trusted CA and exposes its subject', async () => {
    const before = served.accepted.length;
    expect(await attempt(served.listener.url, { tls: { ca: certs.ca, ...certs.client } })).toBeUndefined();
    const accepted = served.accepted[before] as Accepted;
    expect(accepted.peerCertificateSubject).toMatchObject({ CN: 'alice', O: 'Switchboard Tests' });
    expect(accepted.peer?.certificateFingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(accepted.transport.peerCertificateSubject).toEqual(accepted.peerCertificateSubject);
  });

  it.each([
    ['no certificate', (): ConnectOptions => ({ tls: { ca: certs.ca } }), /did not return a certificate/],
    [
      'a certificate from another CA',
      (): ConnectOptions => ({ tls: { ca: certs.ca, ...certs.foreignClient } }),
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    ],
    [
      'an expired certificate',
      (): ConnectOptions => ({ tls: { ca: certs.ca, ...certs.expiredClient } }),
      /CERT_HAS_EXPIRED/,
    ],
  ])('rejects a client with %s', async (_label, options, why) => {
    const before = { accepted: served.accepted.length, errors: served.errors.length };
    const error = await attempt(served.listener.url, options());
    expect(error).toBeInstanceOf(Error);
    // Never handed to the application, and reported on the listener as a rejected handshake.
    expect(served.accepted.length).toBe(before.accepted);
    await eventually(() => served.errors.length > before.errors, 20_000, 'listener onError');
    const rejected = served.errors
      .slice(before.errors)
      .filter((e) => e instanceof SwitchboardError && e.code === 'CONNECTION_REJECTED');
    expect(rejected.map((e) => e.message).join('\n')).toMatch(why);
  });
});

describe('TLS client and server options', () => {
  it('puts the verified client subject on every message as extra.peer.certificateSubject', async () => {
    const extras: (MessageExtraInfo | undefined)[] = [];
    let accepted: Accepted | undefined;
    const listener = await listen('tls://127.0.0.1:0', {
      tls: { ...certs.server, ca: certs.ca, requestCert: true },
      onConnection: (t) => {
        accepted = t as Accepted;
        t.onmessage = (m, extra) => {
          extras.push(extra);
          if (isRequest(m)) void t.send({ jsonrpc: '2.0', id: m.id, result: {} });
        };
        void t.start();
      },
    });
    listeners.push(listener);
    const client = connect(listener.url, { tls: { ca: certs.ca, ...certs.client } });
    const replies: unknown[] = [];
    client.onmessage = (m) => replies.push(m);
    await client.start();
    await client.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await client.send({ jsonrpc: '2.0', method: 'notifications/x' });
    await eventually(() => extras.length === 2 && replies.length === 1);
    for (const extra of extras) {
      expect(extra?.peer?.certificateSubject).toMatchObject({ CN: 'alice' });
      expect(extra?.peer?.remoteAddress).toBe('127.0.0.1');
    }
    // The client sees the server's verified certificate too.
    expect((client as SocketTransport).peerCertificateSubject).toMatchObject({ CN: 'localhost' });
    expect(accepted?.peerCertificateSubject).toMatchObject({ CN: 'alice' });
    await client.close();
  });

  it('refuses a server whose certificate does not match the host name', async () => {
    const listener = await listen('tls://127.0.0.1:0', {
      tls: certs.wrongHost,
      onConnection: () => undefined,
    });
    listeners.push(listener);
    const transport = connect(listener.url, { tls: { ca: certs.ca } });
    await expect(transport.start()).rejects.toMatchObject({
      code: 'CONNECTION_REJECTED',
      details: { systemCode: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    });
  });

  it('refuses a server certificate from an untrusted CA (verification is on by default)', async () => {
    const listener = await listen('tls://127.0.0.1:0', { tls: certs.server, onConnection: () => undefined });
    listeners.push(listener);
    const transport = connect(listener.url, { tls: { ca: certs.otherCa } });
    await expect(transport.start()).rejects.toMatchObject({ code: 'CONNECTION_REJECTED' });
  });

  it('with minVersion TLSv1.3 refuses a TLS 1.2 client; the default accepts it', async () => {
    const strict = await listen('tls://127.0.0.1:0', {
      tls: { ...certs.server, minVersion: 'TLSv1.3' },
      onConnection: () => undefined,
    });
    const lenient = await listen('tls://127.0.0.1:0', { tls: certs.server, onConnection: () => undefined });
    listeners.push(strict, lenient);
    const handshake = (url: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const port = Number(new URL(url).port);
        const s = tls.connect({ host: '127.0.0.1', port, ca: certs.ca, maxVersion: 'TLSv1.2' }, () => {
          const v = s.getProtocol() ?? '';
          s.destroy();
          resolve(v);
        });
        s.on('error', reject);
      });
    await expect(handshake(strict.url)).rejects.toThrow();
    await expect(handshake(lenient.url)).resolves.toBe('TLSv1.2');
  });

  it('sends SNI for host names (not for IP addresses)', async () => {
    const seen: (string | false | undefined)[] = [];
    const server = tls.createServer({ ...certs.server }, (s) => {
      seen.push((s as tls.TLSSocket & { servername?: string | false }).servername);
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      for (const host of ['localhost', '127.0.0.1']) {
        const t = connect(`tls://${host}:${port}`, { tls: { ca: certs.ca } });
        await t.start().catch(() => undefined);
        await t.close();
      }
      await eventually(() => seen.length === 2);
      expect(seen[0]).toBe('localhost');
      expect(seen[1]).toBeFalsy();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('rejects a tls:// listener without certificate and key', async () => {
    await expect(listen('tls://127.0.0.1:0', { onConnection: () => undefined })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    await expect(
      listen('tls://127.0.0.1:0', { tls: { ca: certs.ca }, onConnection: () => undefined }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('rejects an unknown minVersion and unreadable key files', () => {
    expect(
      () =>
        new SocketTransport({
          target: { kind: 'tls', host: 'localhost', port: 1, tls: { minVersion: 'TLSv1.1' as 'TLSv1.2' } },
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as Error);
    expect(
      () =>
        new SocketTransport({
          target: { kind: 'tls', host: 'localhost', port: 1, tls: { caFile: '/nonexistent/ca.pem' } },
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as Error);
  });

  it('reads certificates from files (certFile/keyFile/caFile)', async () => {
    const file = (name: string): string => `${certs.dir}/${name}`;
    const served = await serveEach('tls://localhost:0', createDemoServer, {
      tls: {
        certFile: file('server.pem'),
        keyFile: file('server.key'),
        caFile: file('ca.pem'),
        requestCert: true,
      },
    });
    listeners.push(served.listener);
    const error = await attempt(served.listener.url, {
      tls: { caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') },
    });
    expect(error).toBeUndefined();
  });
});

describe('connecting to a server that never answers', () => {
  /** A TCP server that accepts and then stays silent (no TLS handshake, no WebSocket upgrade). */
  async function silentServer(): Promise<number> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanupsAfter.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
    );
    return (server.address() as net.AddressInfo).port;
  }
  const cleanupsAfter: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanupsAfter.splice(0)) await c();
  });

  it.each(['tls', 'ws'])(
    '%s: close() during the handshake rejects start() and fires onclose once',
    async (kind) => {
      const port = await silentServer();
      const t = connect(kind === 'tls' ? `tls://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/`, {
        tls: { ca: certs.ca },
      });
      let closes = 0;
      t.onclose = () => closes++;
      const starting = t.start();
      await new Promise((r) => setTimeout(r, 50));
      await t.close();
      await expect(starting).rejects.toBeInstanceOf(SwitchboardError);
      await new Promise((r) => setTimeout(r, 50));
      expect(closes).toBe(1);
      await expect(t.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({
        code: 'TRANSPORT_CLOSED',
      });
    },
  );

  it.each(['tls', 'ws'])('%s: the connect timeout fails with CONNECTION_FAILED', async (kind) => {
    const port = await silentServer();
    const t =
      kind === 'tls'
        ? connect(`tls://127.0.0.1:${port}`, { tls: { ca: certs.ca }, socket: { connectTimeoutMs: 200 } })
        : connect(`ws://127.0.0.1:${port}/`, { websocket: { connectTimeoutMs: 200 } });
    await expect(t.start()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  });
});
