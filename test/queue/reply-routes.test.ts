import { describe, expect, it } from 'vitest';
import { MAX_ROUTES, ReplyRoutes } from '../../src/queue/redis/reply-routes.js';
import { parseStreamReply } from '../../src/queue/redis/stream-reply.js';

/** A lookup the test resolves by hand. */
function manualLookup(): {
  lookup: (conn: string) => Promise<string>;
  answer: (key: string) => void;
  calls: string[];
} {
  const calls: string[] = [];
  let answer: (key: string) => void = () => undefined;
  return {
    calls,
    lookup: (conn) => {
      calls.push(conn);
      return new Promise((resolve) => (answer = resolve));
    },
    answer: (key) => answer(key),
  };
}

describe('ReplyRoutes', () => {
  it('looks a route up once; replies made meanwhile and after a newer route keep their order', async () => {
    const { lookup, answer, calls } = manualLookup();
    const routes = new ReplyRoutes(lookup);
    const stored: string[] = [];
    const reply = (name: string): Promise<void> => {
      const route = routes.get('c');
      if (typeof route === 'string') {
        stored.push(`${name}→${route}`);
        return Promise.resolve();
      }
      return route.then((key) => void stored.push(`${name}→${key}`));
    };
    const first = reply('r1');
    const second = reply('r2');
    // An `open` naming a new stream arrives while the lookup is under way.
    routes.set('c', 'new');
    const third = reply('r3');
    expect(calls).toEqual(['c']);
    answer('recorded');
    await Promise.all([first, second, third]);
    expect(stored).toEqual(['r1→recorded', 'r2→recorded', 'r3→new']);
    expect(routes.get('c')).toBe('new');
  });

  it('looks up again after a failed lookup, and after delete', async () => {
    let fail = true;
    let lookups = 0;
    const routes = new ReplyRoutes((conn) => {
      lookups++;
      return fail ? Promise.reject(new Error('down')) : Promise.resolve(`k-${conn}`);
    });
    await expect(routes.get('c')).rejects.toThrow('down');
    fail = false;
    await expect(routes.get('c')).resolves.toBe('k-c');
    expect(routes.get('c')).toBe('k-c');
    routes.delete('c');
    await expect(routes.get('c')).resolves.toBe('k-c');
    expect(lookups).toBe(3);
  });

  it('is bounded: the oldest route is forgotten first', () => {
    const routes = new ReplyRoutes((conn) => Promise.resolve(`looked-up-${conn}`));
    for (let i = 0; i <= MAX_ROUTES; i++) routes.set(`c${i}`, `k${i}`);
    expect(routes.get(`c${MAX_ROUTES}`)).toBe(`k${MAX_ROUTES}`);
    expect(routes.get('c1')).toBe('k1');
    expect(routes.get('c0')).toBeInstanceOf(Promise);
  });
});

describe('stream read replies', () => {
  const entries = [['1-0', ['t', 'm', 'c', 'x', 'd', '{}']]];
  it('reads RESP3 maps, RESP2 arrays and timeouts alike', () => {
    const want = new Map([['k', [{ id: '1-0', fields: { t: 'm', c: 'x', d: '{}' } }]]]);
    expect(parseStreamReply({ k: entries })).toEqual(want);
    expect(parseStreamReply(new Map([['k', entries]]))).toEqual(want);
    expect(parseStreamReply([['k', entries]])).toEqual(want);
    expect(parseStreamReply(null)).toEqual(new Map());
  });

  it('keeps an entry deleted while pending, without fields, and skips garbage', () => {
    expect(parseStreamReply({ k: [['2-0', null], 'junk', [3, []]] })).toEqual(
      new Map([['k', [{ id: '2-0', fields: {} }]]]),
    );
  });
});
