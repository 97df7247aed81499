/**
 * Batching the frames another library writes on a socket: one turn's messages leave in one write from
 * the second message on (from the first after a busy turn), a lone message per turn is not delayed.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TurnCork } from '../../src/transports/turn-cork.js';

/** A socket stand-in that records what reaches its underlying write (not what is buffered by a cork). */
function recordingSocket(): { socket: PassThrough; writes: string[][] } {
  const writes: string[][] = [];
  const socket = new PassThrough({
    writev(chunks, callback) {
      writes.push(chunks.map((c) => String(c.chunk)));
      callback();
    },
  });
  socket._write = (chunk: Buffer, _encoding, callback) => {
    writes.push([String(chunk)]);
    callback();
  };
  return { socket, writes };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnCork', () => {
  it('lets a lone message per turn through at once and joins the rest of a busy turn', async () => {
    const { socket, writes } = recordingSocket();
    const cork = new TurnCork(socket);
    const send = (text: string): void => {
      cork.beforeWrite();
      // What the ws sender does per frame: its own cork around header and payload.
      socket.cork();
      socket.write(`${text}:h`);
      socket.write(`${text}:p`);
      socket.uncork();
    };
    send('a');
    expect(writes).toEqual([['a:h', 'a:p']]); // at once
    send('b'); // second of the turn: held with what follows
    send('c');
    expect(writes).toHaveLength(1);
    await turn();
    expect(writes).toEqual([
      ['a:h', 'a:p'],
      ['b:h', 'b:p', 'c:h', 'c:p'],
    ]);
    // The turn before carried three: this one is held from its first message.
    send('d');
    expect(writes).toHaveLength(2);
    await turn();
    expect(writes[2]).toEqual(['d:h', 'd:p']);
    // That turn carried one: the next message goes at once again.
    send('e');
    expect(writes[3]).toEqual(['e:h', 'e:p']);
    await turn();
    expect(writes).toHaveLength(4);
  });
});
