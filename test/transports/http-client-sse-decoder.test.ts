import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseDecoder, type SseEvent } from '../../src/transports/http/client/sse-stream-reader.js';
import { chunked } from '../fuzz/json-garbage.js';

interface Spec {
  id?: string;
  event?: string;
  data: string;
}

const EOLS = ['\n', '\r\n', '\r'] as const;

function serialize(events: Spec[], eol: string): string {
  return events
    .map((e) => {
      let out = '';
      if (e.id !== undefined) out += `id: ${e.id}${eol}`;
      if (e.event !== undefined) out += `event: ${e.event}${eol}`;
      return `${out}data: ${e.data}${eol}${eol}`;
    })
    .join('');
}

function decode(chunks: Buffer[], max?: number): { events: SseEvent[]; oversize: number } {
  const events: SseEvent[] = [];
  let oversize = 0;
  const decoder = new SseDecoder({ onEvent: (e) => events.push(e), onOversize: () => oversize++ }, max);
  for (const c of chunks) decoder.push(c);
  decoder.end();
  return { events, oversize };
}

const line = fc.string({
  unit: fc.constantFrom('a', 'Z', '{', '"', ':', ' ', 'é', '世', '😀'),
  maxLength: 60,
});
const spec: fc.Arbitrary<Spec> = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9]{1,8}$/),
    event: fc.constantFrom('message', 'endpoint'),
    data: line.filter((d) => !d.startsWith(' ')),
  },
  { requiredKeys: ['data'] },
);

const expected = (s: Spec): SseEvent => ({ id: s.id, event: s.event, data: s.data });

describe('SseDecoder', () => {
  it('yields the same events however the bytes are chunked and lines are ended', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { maxLength: 12 }),
        fc.constantFrom(...EOLS),
        fc.array(fc.nat(), { maxLength: 20 }),
        (events, eol, cuts) => {
          const bytes = Buffer.from(serialize(events, eol));
          expect(decode(chunked(bytes, cuts)).events).toEqual(events.map(expected));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('skips an oversized event, reports it once, and resumes at the next event', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { maxLength: 6 }),
        fc.array(spec, { maxLength: 6 }),
        fc.constantFrom(...EOLS),
        fc.array(fc.nat(), { maxLength: 30 }),
        (before, after, eol, cuts) => {
          const huge: Spec = { id: 'huge', data: 'x'.repeat(5000) };
          const bytes = Buffer.from(serialize([...before, huge, ...after], eol));
          const { events, oversize } = decode(chunked(bytes, cuts), 1000);
          expect(oversize).toBe(1);
          expect(events).toEqual([...before, ...after].map(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ignores comments (keep-alives) and reports retry', () => {
    const retries: number[] = [];
    const events: SseEvent[] = [];
    const decoder = new SseDecoder({ onEvent: (e) => events.push(e), onRetry: (ms) => retries.push(ms) });
    decoder.push(Buffer.from(': keepalive\n\nretry: 1500\nid: p1\ndata: \n\n:\n\ndata: {"a":1}\n\n'));
    decoder.end();
    expect(retries).toEqual([1500]);
    expect(events).toEqual([
      { id: 'p1', event: undefined, data: '' },
      { id: undefined, event: undefined, data: '{"a":1}' },
    ]);
  });

  it('drops an unterminated last event, as the SSE standard requires', () => {
    const { events } = decode([Buffer.from('data: complete\n\ndata: cut off')]);
    expect(events.map((e) => e.data)).toEqual(['complete']);
  });
});
