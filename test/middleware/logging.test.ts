import { describe, expect, it } from 'vitest';
import { logging } from '../../src/middleware/logging.js';
import { pipe, compose } from '../../src/middleware/pipe.js';
import { flush, ok, request, rig } from './harness.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import type { Transport } from '../../src/transport.js';

describe('logging middleware', () => {
  it('logs one debug line per answered request with session, id, method, outcome, and redacted payloads', async () => {
    const lines: { object: Record<string, unknown>; message: string }[] = [];
    const logger = {
      debug: (object: Record<string, unknown>, message: string) => lines.push({ object, message }),
    };
    const r = await rig([logging({ logger, session: 's9' })]);
    await r.reply(request(1, 'tools/call', { name: 'login', arguments: { token: 'secret-token' } }));
    await flush();
    await r.transport.send(ok(1, { content: [{ type: 'text', text: 'ok' }] }));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.message).toBe('request');
    expect(lines[0]?.object).toMatchObject({
      session: 's9',
      requestId: 1,
      method: 'tools/call',
      outcome: 'ok',
    });
    expect(JSON.stringify(lines)).not.toContain('secret-token');
    await r.close();
  });
});

describe('pipe', () => {
  it('applies middleware innermost first and skips falsy entries', async () => {
    const order: string[] = [];
    const tagging = (tag: string) => (inner: Transport) => {
      const t: Transport = {
        start: () => inner.start(),
        close: () => inner.close(),
        send: (m) => {
          order.push(tag);
          return inner.send(m);
        },
      };
      return t;
    };
    const [a, b] = InMemoryTransport.createLinkedPair();
    await b.start();
    const t = pipe(a, tagging('inner'), false, undefined, compose(tagging('middle'), tagging('outer')));
    await t.start();
    await t.send(request(1, 'ping'));
    expect(order).toEqual(['outer', 'middle', 'inner']);
    await t.close();
  });
});
