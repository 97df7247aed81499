import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveWorkerConfig } from '../../src/cli/commands/worker.js';
import { ServeConfigSchema } from '../../src/config/serve-config.js';
import { FlowSender } from '../../src/queue/flow-sender.js';
import { QueueServerTransport } from '../../src/queue/queue-server-transport.js';
import type { QueueRecord, WorkerQueue } from '../../src/queue/queue-types.js';
import { parseRedisAddress, redactRedisUri } from '../../src/queue/redis/redis-address.js';
import { decodeRecord, encodeRecord } from '../../src/queue/redis/record-codec.js';
import { mayRerun, toolSafetyOf } from '../../src/queue/rerun-policy.js';

describe('FlowSender', () => {
  it('stores at once within the window, holds later sends until the peer consumed, keeps order', async () => {
    const stored: string[] = [];
    let consumed = 0;
    const sender = new FlowSender({
      submit: (r) => {
        stored.push((r as { data: string }).data);
        return Promise.resolve();
      },
      consumed: () => Promise.resolve(consumed),
      windowBytes: 1000,
    });
    const msg = (data: string): QueueRecord => ({ type: 'message', conn: 'c', data });
    const first = sender.send(msg('a'.repeat(400)));
    const second = sender.send(msg('b'.repeat(400)));
    const third = sender.send(msg('c'.repeat(400)));
    await Promise.all([first, second]);
    let thirdDone = false;
    void third.then(() => (thirdDone = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(thirdDone).toBe(false);
    expect(stored.length).toBe(2);
    consumed = 464; // the first record (400 + 64 overhead) was consumed
    await third;
    expect(stored.map((s) => s[0])).toEqual(['a', 'b', 'c']);
  });

  it('admits one record larger than the window, and refuses beyond the memory bound', async () => {
    const sender = new FlowSender({
      submit: () => Promise.resolve(),
      consumed: () => Promise.resolve(0),
      windowBytes: 100,
      maxQueuedBytes: 1000,
    });
    await sender.send({ type: 'message', conn: 'c', data: 'x'.repeat(5000) });
    const waiting = sender.send({ type: 'message', conn: 'c', data: 'y'.repeat(10) });
    waiting.catch(() => undefined);
    await expect(sender.send({ type: 'message', conn: 'c', data: 'z'.repeat(2000) })).rejects.toMatchObject({
      code: 'WRITE_FAILED',
    });
    sender.fail(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
  });
});

describe('re-run policy', () => {
  const lookup = (safety: Record<string, 'safe' | 'unsafe'>) => (tool: string) =>
    Promise.resolve(safety[tool]);
  const call = (name: string) => ({ jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name } });

  it('re-runs read-only methods and annotated tools only', async () => {
    const safety = toolSafetyOf({
      tools: [
        { name: 'read', annotations: { readOnlyHint: true } },
        { name: 'same', annotations: { idempotentHint: true } },
        { name: 'write', annotations: { readOnlyHint: false, idempotentHint: false } },
        { name: 'bare' },
      ],
    });
    expect(safety).toEqual({ read: 'safe', same: 'safe', write: 'unsafe', bare: 'unsafe' });
    expect((await mayRerun(call('read'), false, lookup(safety))).rerun).toBe(true);
    expect((await mayRerun(call('same'), false, lookup(safety))).rerun).toBe(true);
    expect(await mayRerun(call('write'), false, lookup(safety))).toMatchObject({
      rerun: false,
      why: expect.stringMatching(/not annotated/) as unknown,
    });
    expect(await mayRerun(call('unknown'), false, lookup(safety))).toMatchObject({
      rerun: false,
      why: expect.stringMatching(/nothing is known/) as unknown,
    });
    expect((await mayRerun(call('write'), true, lookup(safety))).rerun).toBe(true);
    expect(
      (await mayRerun({ jsonrpc: '2.0', id: 2, method: 'resources/read' }, false, lookup({}))).rerun,
    ).toBe(true);
    expect((await mayRerun({ jsonrpc: '2.0', id: 3, method: 'custom/do' }, false, lookup({}))).rerun).toBe(
      false,
    );
  });
});

describe('redis addresses and config', () => {
  it('parses the query, redacts the password, applies defaults', () => {
    const a = parseRedisAddress(
      new URL('rediss://u:s3cret@h.example:6380/2?stream=x:y&prefix=p:&maxlen=500'),
    );
    expect(a).toMatchObject({ tls: true, stream: 'x:y', prefix: 'p:', maxLen: 500, group: 'switchboard' });
    expect(a.connectUrl).toBe('rediss://u:s3cret@h.example:6380/2');
    expect(a.redacted).not.toContain('s3cret');
    expect(redactRedisUri('redis://:pw@h/0?stream=a')).not.toContain('pw');
    expect(() => parseRedisAddress(new URL('redis://h/0?stream=a&heartbeat=1000&deadAfter=1500'))).toThrow(
      /twice/,
    );
  });

  it('accepts state as a URI or an object; refuses other schemes', () => {
    const fromString = ServeConfigSchema.parse({ state: 'redis://127.0.0.1:6379/0' });
    expect(fromString.state).toMatchObject({
      url: 'redis://127.0.0.1:6379/0',
      heartbeat: 1000,
      deadAfter: 5000,
    });
    const fromObject = ServeConfigSchema.parse({ state: { url: 'rediss://r:6380/0', deadAfter: '2s' } });
    expect(fromObject.state?.deadAfter).toBe(2000);
    expect(ServeConfigSchema.safeParse({ state: 'http://x' }).success).toBe(false);
    expect(ServeConfigSchema.parse({}).state).toBeUndefined();
  });

  it('a worker needs a redis --queue; it defaults to one shared backend', () => {
    expect(() => resolveWorkerConfig({}, { positional: [], command: ['node', 's.js'] })).toThrow(/--queue/);
    expect(() =>
      resolveWorkerConfig({ queue: 'tcp://x:1' }, { positional: [], command: ['node', 's.js'] }),
    ).toThrow(/--queue/);
    const config = resolveWorkerConfig(
      { queue: 'redis://127.0.0.1:6379/0?stream=s', rerunUnsafe: true },
      { positional: [], command: ['node', 's.js'] },
    );
    expect(config.listen).toEqual(['redis://127.0.0.1:6379/0?stream=s']);
    expect(config.sessionMode).toBe('shared');
    expect(config.redis.rerunUnsafe).toBe(true);
  });
});

/** A worker queue that only records what the transport asks of it. */
function recordingQueue(): WorkerQueue & { acks: string[]; replies: QueueRecord[] } {
  const acks: string[] = [];
  const replies: QueueRecord[] = [];
  return {
    acks,
    replies,
    workerId: 'w',
    description: 'test',
    reachable: true,
    start: () => Promise.resolve(),
    pause: () => undefined,
    resume: () => undefined,
    claim: () => Promise.resolve({ owner: 'self' }),
    remember: () => undefined,
    connectionState: () => Promise.resolve({ initialized: false }),
    noteTools: () => undefined,
    toolSafety: () => Promise.resolve(undefined),
    stats: () => Promise.resolve({ depth: 0, pending: 0 }),
    forward: () => Promise.resolve(),
    reply: (r) => {
      replies.push(r);
      return Promise.resolve(true);
    },
    ack: (h) => void acks.push(h),
    consumed: () => undefined,
    consumedByClient: () => Promise.resolve(Number.MAX_SAFE_INTEGER),
    release: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe('hostile records', () => {
  it('never throws on JSON-looking garbage: each bad record is reported and acknowledged', async () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string(),
      fc.constantFrom('{"jsonrpc":"2.0"', '{"jsonrpc":"1.0","id":1,"method":"x"}', '[]', 'null', '{"id":{}}'),
      fc.jsonValue().map((v) => JSON.stringify({ jsonrpc: '2.0', id: v, method: v })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(jsonish, { maxLength: 20 }), async (datas) => {
        const queue = recordingQueue();
        const t = new QueueServerTransport('c', {
          queue,
          maxMessageBytes: 1024 * 1024,
          maxQueuedBeforeStart: 100,
          rerunUnsafe: false,
          onEnded: () => undefined,
        });
        const errors: Error[] = [];
        const delivered: unknown[] = [];
        t.onerror = (e) => errors.push(e);
        t.onmessage = (m) => delivered.push(m);
        await t.start();
        datas.forEach((data, i) =>
          t.receive({ record: { type: 'message', conn: 'c', data }, handle: `h${i}`, deliveries: 1 }),
        );
        // Every record is either delivered or reported; invalid ones are acknowledged at once.
        expect(delivered.length + errors.length).toBe(datas.length);
        expect(queue.acks.length).toBeGreaterThanOrEqual(errors.length);
        await t.close();
      }),
      { numRuns: 200 },
    );
  });

  it('decodes only well-formed entries', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('t', 'c', 'd', 'w', 'r', 'x'), fc.string()), (fields) => {
        const r = decodeRecord(fields);
        if (r !== undefined)
          expect(decodeRecord(encodeRecord(r))).toEqual(
            r.type === 'close' && r.reason === undefined ? { ...r, reason: undefined } : r,
          );
      }),
    );
  });
});
