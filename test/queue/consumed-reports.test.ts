import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsumedReports, REPORT_BYTES, REPORT_DELAY_MS } from '../../src/queue/redis/consumed-reports.js';

describe('ConsumedReports', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces small amounts per connection and reports them once after the delay', () => {
    vi.useFakeTimers();
    const reports: [string, number][] = [];
    const counters = new ConsumedReports((counts) => reports.push(...counts));
    counters.add('a', 100);
    counters.add('b', 7);
    counters.add('a', 50);
    counters.add('a', 0);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(REPORT_DELAY_MS - 1);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([
      ['a', 150],
      ['b', 7],
    ]);
    vi.advanceTimersByTime(REPORT_DELAY_MS * 4);
    expect(reports).toHaveLength(2);
  });

  it('reports at once when a connection reaches the threshold, without waiting for the timer', () => {
    vi.useFakeTimers();
    const reports: [string, number][] = [];
    const counters = new ConsumedReports((counts) => reports.push(...counts));
    counters.add('a', REPORT_BYTES - 1);
    counters.add('b', 1);
    counters.add('a', 2);
    expect(reports).toEqual([['a', REPORT_BYTES + 1]]);
    vi.advanceTimersByTime(REPORT_DELAY_MS);
    expect(reports).toEqual([
      ['a', REPORT_BYTES + 1],
      ['b', 1],
    ]);
  });

  it('flush() reports everything pending now and cancels the timer', () => {
    vi.useFakeTimers();
    const reports: [string, number][] = [];
    const counters = new ConsumedReports((counts) => reports.push(...counts));
    counters.add('a', 10);
    counters.flush();
    expect(reports).toEqual([['a', 10]]);
    expect(vi.getTimerCount()).toBe(0);
    counters.flush();
    expect(reports).toHaveLength(1);
  });
});
