/** Finished streams keep their stored events for a retention period, then go; bounded per session. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryEventStore } from '../../src/transports/http/server/memory-event-store.js';
import { StreamRetirement } from '../../src/transports/http/server/stream-retirement.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('StreamRetirement', () => {
  it('drops a finished stream only once its retention passed (checked when another one retires)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new MemoryEventStore();
    for (const id of [1, 2, 3]) store.append('s', id, 1, `{"n":${id}}`);
    const retirement = new StreamRetirement('s', store, () => undefined, 1_000);
    retirement.retire(1);
    vi.advanceTimersByTime(500);
    retirement.retire(2);
    expect(store.replay('s', 1, 0)).toHaveLength(1); // still resumable
    vi.advanceTimersByTime(600);
    retirement.retire(3);
    expect(store.replay('s', 1, 0)).toEqual([]);
    expect(store.replay('s', 2, 0)).toHaveLength(1);
    expect(store.replay('s', 3, 0)).toHaveLength(1);
  });

  it('keeps at most 1,000 streams waiting: beyond, the oldest go at once', () => {
    const store = new MemoryEventStore();
    for (let id = 1; id <= 1_001; id++) store.append('s', id, 1, '{}');
    const retirement = new StreamRetirement('s', store, () => undefined, 60_000);
    for (let id = 1; id <= 1_001; id++) retirement.retire(id);
    expect(store.replay('s', 1, 0)).toEqual([]);
    expect(store.replay('s', 2, 0)).toHaveLength(1);
    expect(store.replay('s', 1_001, 0)).toHaveLength(1);
  });
});
