/**
 * The frame scanner's byte loops: the word-at-a-time string run search at every alignment, and scans of
 * frames whose chunks were made by Node's C++ side (an HTTP request body) next to chunks made in
 * JavaScript, which V8 gives different maps (the scanner reads both through plain `Uint8Array` views).
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { plainBytes, plainRunEnd, scanFrame } from '../../src/framing/frame-scanner.js';

/** The body of one POST, as the chunks the HTTP server handed out. */
async function bodyChunksOf(text: string): Promise<Buffer[]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const received = once(server, 'request') as Promise<[IncomingMessage, { end(): void }]>;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false });
    req.on('error', () => undefined);
    req.end(text);
    const [incoming, res] = await received;
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    res.end();
    return chunks;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('frame scanner byte loops', () => {
  it('plainBytes is a plain Uint8Array over the same memory', () => {
    const buffer = Buffer.from('{"a":1}');
    const view = plainBytes(buffer.subarray(1));
    expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype);
    expect(view.length).toBe(buffer.length - 1);
    view[0] = 0x27;
    expect(buffer.toString()).toBe('{\'a":1}');
  });

  it('plainRunEnd finds the first quote, backslash or control character at every position and alignment', () => {
    const backing = Buffer.alloc(140, 0x61);
    for (const offset of [0, 1, 2, 3]) {
      for (const stop of [0x22, 0x5c, 0x00, 0x1f, 0x0a]) {
        for (let at = 0; at < 100; at++) {
          const bytes = plainBytes(backing.subarray(offset, offset + 100));
          backing.fill(0x61);
          bytes[at] = stop;
          // A byte that is not a stop just above 0x1f, after the stop, must not move the answer.
          if (at + 1 < 100) bytes[at + 1] = 0x20;
          expect(plainRunEnd(bytes, 0, 100)).toBe(at);
          expect(plainRunEnd(bytes, at, 100)).toBe(at);
          expect(plainRunEnd(bytes, at + 1, 100)).toBe(100);
          // `n` bounds the search.
          expect(plainRunEnd(bytes, 0, at)).toBe(at);
        }
      }
    }
  });

  it('a large frame scans alike from HTTP body chunks, mixed chunks and one JavaScript buffer', async () => {
    const text = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x'.repeat(300_000) + '"\\\u2028é' + 'y'.repeat(5_001) } },
    });
    const whole = scanFrame([Buffer.from(text)]);
    expect(whole?.members.map((m) => m.key)).toEqual(['jsonrpc', 'id', 'method', 'params']);
    const fromHttp = await bodyChunksOf(text);
    expect(fromHttp.length).toBeGreaterThan(1);
    expect(scanFrame(fromHttp)).toEqual(whole);
    // Every other chunk re-made in JavaScript, at an odd byte offset.
    const mixed = fromHttp.map((chunk, k) =>
      k % 2 === 0 ? chunk : Buffer.concat([Buffer.from(' '), chunk]).subarray(1),
    );
    expect(scanFrame(mixed)).toEqual(whole);
    // A flaw at the end is still found through the views.
    const broken = [
      ...fromHttp.slice(0, -1),
      Buffer.from((fromHttp.at(-1) as Buffer).toString().slice(0, -1) + ']'),
    ];
    expect(scanFrame(broken)).toBeUndefined();
  });
});
