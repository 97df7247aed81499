import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { connect, listen } from '../../src/endpoint/registry.js';
import type { Listener } from '../../src/listener.js';
import { link, type LinkCodecName, type LinkOptions } from '../../src/middleware/link.js';
import { pipe } from '../../src/middleware/pipe.js';
import { startSniffer, type Sniffer } from './sniffer.js';

const keys = [{ id: 'k1', secret: randomBytes(32).toString('base64') }];

interface Pair {
  client: Client;
  sniffer: Sniffer;
  rejected: string[];
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** The demo server behind an acceptor link on TCP, a sniffer in front, an SDK client through a dialler link. */
async function linked(acceptor: Omit<LinkOptions, 'role'>, dialer: Omit<LinkOptions, 'role'>): Promise<Pair> {
  const rejected: string[] = [];
  const listener: Listener = await listen('tcp://127.0.0.1:0', {
    onConnection: (t) => {
      void createDemoServer().connect(
        pipe(t, link({ ...acceptor, role: 'acceptor', onRejected: (r) => rejected.push(r) })),
      );
    },
  });
  cleanups.push(() => listener.close({ graceMs: 0 }));
  const sniffer = await startSniffer(Number(new URL(listener.url).port));
  cleanups.push(() => sniffer.close());
  const client = new Client({ name: 'link-test', version: '1.0.0' });
  await client.connect(pipe(connect(`tcp://127.0.0.1:${sniffer.port}`), link({ ...dialer, role: 'dialer' })));
  cleanups.push(() => client.close());
  return { client, sniffer, rejected };
}

/** About 1 MiB of JSON-ish text, repetitive the way real tool output is. */
function bigText(): string {
  const rows: string[] = [];
  let length = 0;
  for (let i = 0; length < 1024 * 1024; i++) {
    const row = `{"id":${i},"name":"item-${i % 97}","status":"${i % 3 === 0 ? 'active' : 'idle'}","tags":["a","b"]},`;
    rows.push(row);
    length += row.length;
  }
  return rows.join('').slice(0, 1024 * 1024);
}

const textOf = (result: unknown): string =>
  (result as { content: { text: string }[] }).content[0]?.text ?? '';

describe('switchboard link over TCP', () => {
  for (const codec of ['gzip', 'br', 'lz4'] as LinkCodecName[]) {
    it(`compresses a 1 MiB result with ${codec}: it round-trips and is smaller on the wire`, async () => {
      const { client, sniffer } = await linked({ compression: [codec] }, { compression: [codec] });
      const message = bigText();
      const result = await client.callTool({ name: 'echo', arguments: { message } });
      expect(textOf(result)).toBe(message);
      const onWire = sniffer.c2s().length + sniffer.s2c().length;
      // Uncompressed, the request and the result each carry the 1 MiB text.
      expect(onWire).toBeLessThan(2 * message.length * 0.5);
      expect(sniffer.s2c().toString('latin1')).toContain('"switchboard/frame"');
    });
  }

  it('falls back to plain MCP for a client that does not speak the link (no keys)', async () => {
    const listener = await listen('tcp://127.0.0.1:0', {
      onConnection: (t) => void createDemoServer().connect(pipe(t, link({ role: 'acceptor' }))),
    });
    cleanups.push(() => listener.close({ graceMs: 0 }));
    const client = new Client({ name: 'plain', version: '1.0.0' });
    await client.connect(connect(listener.url));
    cleanups.push(() => client.close());
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('hi');
  });

  it('batches the messages sent in one tick into one frame, in order', async () => {
    const { client, sniffer } = await linked({ compression: false }, { compression: false });
    const before = sniffer.c2sLines().length;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.callTool({ name: 'echo', arguments: { message: `m${i}` } }),
      ),
    );
    expect(results.map(textOf)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    // 20 requests left in far fewer frames than 20 lines.
    expect(sniffer.c2sLines().length - before).toBeLessThan(5);
  });

  it('encrypts: the traffic on the wire is not readable, and the calls work', async () => {
    const { client, sniffer } = await linked({ keys }, { keys });
    const secret = 'attack at dawn, the password is hunter2';
    const result = await client.callTool({ name: 'echo', arguments: { message: secret } });
    expect(textOf(result)).toBe(secret);
    const wire = sniffer.c2s().toString('latin1') + sniffer.s2c().toString('latin1');
    for (const clear of [
      'hunter2',
      'attack at dawn',
      'tools/call',
      '"echo"',
      'switchboard-demo',
      'initialize',
    ]) {
      expect(wire).not.toContain(clear);
    }
    expect(wire).toContain('"switchboard/sealed"');
  });

  it('rejects a replayed frame and closes the link', async () => {
    const { client, sniffer, rejected } = await linked({ keys }, { keys });
    await client.callTool({ name: 'echo', arguments: { message: 'once' } });
    const sealed = sniffer.c2sLines().filter((l) => l.includes('"switchboard/sealed"'));
    const replay = sealed.at(-1);
    expect(replay).toBeDefined();
    sniffer.inject(`${replay ?? ''}\n`);
    await sniffer.serverClosed;
    expect(rejected).toEqual(['replayed']);
  });

  it('rejects a tampered frame and closes the link', async () => {
    const { client, sniffer, rejected } = await linked({ keys }, { keys });
    await client.listTools();
    sniffer.rewrite((line) => {
      if (!line.includes('"switchboard/sealed"')) return line;
      const frame = JSON.parse(line) as { params: { d: string } };
      const bytes = Buffer.from(frame.params.d, 'base64');
      bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 1; // flip one bit of the ciphertext
      frame.params.d = bytes.toString('base64');
      return JSON.stringify(frame);
    });
    await expect(client.callTool({ name: 'echo', arguments: { message: 'x' } })).rejects.toThrow();
    await sniffer.serverClosed;
    expect(rejected).toEqual(['tampered']);
  });

  it('refuses a link without keys when the acceptor requires encryption', async () => {
    const listener = await listen('tcp://127.0.0.1:0', {
      onConnection: (t) => void createDemoServer().connect(pipe(t, link({ role: 'acceptor', keys }))),
    });
    cleanups.push(() => listener.close({ graceMs: 0 }));
    const client = new Client({ name: 'nokeys', version: '1.0.0' });
    await expect(client.connect(pipe(connect(listener.url), link({ role: 'dialer' })))).rejects.toThrow(
      /refused the link/,
    );
    const plain = new Client({ name: 'plain', version: '1.0.0' });
    await expect(plain.connect(connect(listener.url))).rejects.toThrow();
  });

  it('rejects a frame that inflates beyond the decompressed-size cap', async () => {
    const { client, sniffer, rejected } = await linked(
      { compression: ['gzip'], maxDecompressedBytes: 64 * 1024 },
      { compression: ['gzip'] },
    );
    await client.listTools();
    const bomb = zlib.gzipSync(Buffer.alloc(1024 * 1024, 0x20));
    sniffer.inject(
      `${JSON.stringify({ jsonrpc: '2.0', method: 'switchboard/frame', params: { c: 'gzip', d: bomb.toString('base64') } })}\n`,
    );
    await sniffer.serverClosed;
    expect(rejected).toEqual(['decode']);
  });
});
