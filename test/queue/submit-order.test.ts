import { describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/queue/redis/redis-client.js';
import type { StreamReader } from '../../src/queue/redis/stream-reader.js';
import { SubmitOrder } from '../../src/queue/redis/submit-order.js';

/** Two fake connections whose replies the test releases; `log` is the order commands reached them. */
function fakes(): {
  reader: StreamReader;
  commands: RedisClient;
  log: string[];
  setFree: (free: boolean) => void;
  settle: () => Promise<void>;
} {
  const log: string[] = [];
  const waiting: (() => void)[] = [];
  let free = false;
  const reply = (where: string, args: string[]): Promise<unknown> => {
    log.push(`${where}:${args.join(' ')}`);
    return new Promise((resolve) => waiting.push(() => resolve('ok')));
  };
  return {
    reader: {
      sendAhead: (args: string[]) => (free ? reply('reader', args) : undefined),
    } as unknown as StreamReader,
    commands: { sendCommand: (args: string[]) => reply('commands', args) } as unknown as RedisClient,
    log,
    setFree: (f) => (free = f),
    settle: async () => {
      for (const release of waiting.splice(0)) release();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('SubmitOrder', () => {
  it('uses the free reader connection, and never lets a later record overtake one in flight', async () => {
    const f = fakes();
    const order = new SubmitOrder(f.reader, f.commands);
    f.setFree(true);
    const first = order.send(['1']);
    const second = order.send(['2']);
    expect(f.log).toEqual(['reader:1', 'reader:2']);
    // The read is blocked now: the next records wait for the ones on the reader, then go the other way.
    f.setFree(false);
    const third = order.send(['3']);
    const fourth = order.send(['4']);
    // Free again, but records are still waiting: no overtaking through the reader.
    f.setFree(true);
    const fifth = order.send(['5']);
    expect(f.log).toEqual(['reader:1', 'reader:2']);
    await f.settle();
    await Promise.all([first, second]);
    expect(f.log).toEqual(['reader:1', 'reader:2', 'commands:3']);
    await f.settle();
    expect(f.log).toEqual(['reader:1', 'reader:2', 'commands:3', 'commands:4']);
    await f.settle();
    await f.settle();
    await Promise.all([third, fourth, fifth]);
    expect(f.log).toEqual(['reader:1', 'reader:2', 'commands:3', 'commands:4', 'commands:5']);
    // Nothing in flight: the reader connection is used again when free.
    const sixth = order.send(['6']);
    expect(f.log.at(-1)).toBe('reader:6');
    await f.settle();
    await sixth;
  });

  it('pipelines on the command connection while the reader is busy', async () => {
    const f = fakes();
    const order = new SubmitOrder(f.reader, f.commands);
    const sent = [order.send(['a']), order.send(['b'])];
    f.setFree(true);
    sent.push(order.send(['c']));
    expect(f.log).toEqual(['commands:a', 'commands:b', 'commands:c']);
    await f.settle();
    await Promise.all(sent);
  });
});
