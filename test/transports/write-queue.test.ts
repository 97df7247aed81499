/**
 * The write queue with the pieces of framed messages: order is kept across strings and pieces, large
 * batches reach the stream as the very Buffers given (one writev, nothing joined), and backpressure still
 * holds the caller until the stream drained.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../src/transports/write-queue.js';

/** A stream that records every chunk it is handed, and drains only when told to. */
function recordingStream(highWaterMark: number): { stream: Writable; chunks: Buffer[]; release: () => void } {
  const chunks: Buffer[] = [];
  let pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark,
    writev(entries, callback) {
      for (const e of entries) chunks.push(e.chunk as Buffer);
      pending.push(callback);
    },
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      pending.push(callback);
    },
  });
  return {
    stream,
    chunks,
    release: () => {
      const done = pending;
      pending = [];
      for (const cb of done) cb();
    },
  };
}

describe('WriteQueue with framed pieces', () => {
  it('small messages and pieces are written in order, in one batch', async () => {
    const { stream, chunks, release } = recordingStream(1024 * 1024);
    const queue = new WriteQueue(stream);
    const a = queue.write('{"a":1}\n');
    const b = queue.write([Buffer.from('{"b":'), Buffer.from('2}'), Buffer.from('\n')]);
    const c = queue.write('{"c":3}\n');
    await Promise.all([a, b, c]);
    release();
    expect(Buffer.concat(chunks).toString()).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    // The first message of an idle queue went out at once, the two after it in one write.
    expect(chunks.map((c) => c.toString())).toEqual(['{"a":1}\n', '{"b":2}\n{"c":3}\n']);
  });

  it('writes at once while turns carry one message, and batches whole turns once they carry more', async () => {
    // A stream that takes every write at once, so each write() of the queue shows as one chunk.
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const queue = new WriteQueue(stream);
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    // One message per turn (one request in flight): each reaches the stream within write().
    void queue.write('1\n');
    expect(chunks).toHaveLength(1);
    await turn();
    void queue.write('2\n');
    expect(chunks).toHaveLength(2);
    void queue.write('3\n'); // a second message in this turn waits for the end of the turn
    expect(chunks).toHaveLength(2);
    await turn();
    expect(chunks).toHaveLength(3);
    // That turn batched two: the next turn is batched from its first message.
    void queue.write('4\n');
    void queue.write('5\n');
    void queue.write('6\n');
    expect(chunks).toHaveLength(3);
    await turn();
    expect(chunks.map((c) => c.toString())).toEqual(['1\n', '2\n', '3\n', '4\n5\n6\n']);
    // A turn with a single message (batched): the turn after it writes at once again.
    void queue.write('7\n');
    await turn();
    expect(chunks).toHaveLength(5);
    void queue.write('8\n');
    expect(chunks).toHaveLength(6);
    expect(Buffer.concat(chunks).toString()).toBe('1\n2\n3\n4\n5\n6\n7\n8\n');
  });

  it('a large frame goes out as the Buffers given (no copy), and waits for the stream to drain', async () => {
    const { stream, chunks, release } = recordingStream(64 * 1024);
    const queue = new WriteQueue(stream);
    const pieces = Array.from({ length: 8 }, (_, i) => Buffer.alloc(32 * 1024, 0x61 + i));
    let settled = false;
    const written = queue.write([...pieces, Buffer.from('\n')]).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    // The stream took 256 KiB with a 64 KiB mark: the caller waits.
    expect(settled).toBe(false);
    expect(chunks.slice(0, pieces.length).every((c, i) => c === pieces[i])).toBe(true);
    release();
    release();
    await written;
    expect(settled).toBe(true);
    expect(Buffer.concat(chunks).length).toBe(8 * 32 * 1024 + 1);
  });
});
