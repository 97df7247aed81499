import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineWheel, MIN_SLACK_MS, WheelEntry } from '../../src/proxy/deadline-wheel.js';
import { InflightTable, type InflightRequest } from '../../src/proxy/inflight-table.js';

class Probe extends WheelEntry {
  expiredAt: number | undefined;
  expiries = 0;
  readonly onExpire: ((now: number) => void) | undefined;

  constructor(deadline: number, onExpire?: (now: number) => void) {
    super();
    this.deadline = deadline;
    this.onExpire = onExpire;
  }

  expire(now: number): void {
    this.expiries++;
    this.expiredAt = now;
    this.onExpire?.(now);
  }
}

describe('DeadlineWheel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires an entry after its deadline, at most its slack late, with one timer for all entries', () => {
    const wheel = new DeadlineWheel();
    const start = Date.now();
    const probes = Array.from({ length: 1000 }, (_, i) => new Probe(start + 1_000 + i));
    for (const p of probes) wheel.schedule(p, 100);
    expect(wheel.size).toBe(1000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(probes.filter((p) => p.expiredAt !== undefined)).toHaveLength(0);
    vi.advanceTimersByTime(1_100);
    for (const p of probes) {
      expect(p.expiredAt).toBeGreaterThanOrEqual(p.deadline);
      expect((p.expiredAt as number) - p.deadline).toBeLessThan(100);
    }
    expect(wheel.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never expires a cancelled entry, and a wheel emptied by cancellation stops its timer', () => {
    const wheel = new DeadlineWheel();
    const kept = new Probe(Date.now() + 50);
    const cancelled = new Probe(Date.now() + 50);
    wheel.schedule(kept, 10);
    wheel.schedule(cancelled, 10);
    wheel.cancel(cancelled);
    wheel.cancel(cancelled);
    expect(wheel.size).toBe(1);
    vi.advanceTimersByTime(100);
    expect(kept.expiredAt).toBeDefined();
    expect(cancelled.expiredAt).toBeUndefined();

    const alone = new Probe(Date.now() + 5_000);
    wheel.schedule(alone, 1_000);
    wheel.cancel(alone);
    vi.advanceTimersByTime(10_000);
    expect(alone.expiredAt).toBeUndefined();
    expect(wheel.bucketCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('files an entry again when its deadline was pushed later, and expires it then', () => {
    const wheel = new DeadlineWheel();
    const p = new Probe(Date.now() + 100);
    wheel.schedule(p, 10);
    vi.advanceTimersByTime(50);
    p.deadline = Date.now() + 300; // progress
    vi.advanceTimersByTime(200);
    expect(p.expiredAt).toBeUndefined();
    expect(wheel.size).toBe(1);
    vi.advanceTimersByTime(110);
    expect(p.expiredAt).toBeGreaterThanOrEqual(p.deadline);
  });

  it('keeps an earlier bucket on time when an entry filed again lands after it', () => {
    const wheel = new DeadlineWheel();
    const start = Date.now();
    const pushed = new Probe(start + 100);
    const between = new Probe(start + 200);
    wheel.schedule(pushed, 10);
    wheel.schedule(between, 10);
    pushed.deadline = start + 400;
    vi.advanceTimersByTime(210);
    expect(pushed.expiredAt).toBeUndefined();
    expect(between.expiredAt).toBe(start + 200);
    vi.advanceTimersByTime(200);
    expect(pushed.expiredAt).toBe(start + 400);
  });

  it('arms for an earlier bucket that arrives after a later one', () => {
    const wheel = new DeadlineWheel();
    const late = new Probe(Date.now() + 60_000);
    const early = new Probe(Date.now() + 20);
    wheel.schedule(late, 1_000);
    wheel.schedule(early, 10);
    vi.advanceTimersByTime(30);
    expect(early.expiredAt).toBeDefined();
    expect(late.expiredAt).toBeUndefined();
    expect(vi.getTimerCount()).toBe(1);
  });

  it('treats a slack below the minimum as the minimum, and an infinite deadline as none', () => {
    const wheel = new DeadlineWheel();
    const p = new Probe(Date.now() + 1);
    wheel.schedule(p, 0);
    expect(p.wheelSlackMs).toBe(MIN_SLACK_MS);
    const never = new Probe(Infinity);
    wheel.schedule(never, 10);
    expect(wheel.size).toBe(1);
    vi.advanceTimersByTime(MIN_SLACK_MS + 1);
    expect(p.expiredAt).toBeDefined();
    expect(never.expiredAt).toBeUndefined();
  });

  it('expires the other entries when one expire() throws, and reports it', () => {
    const errors: unknown[] = [];
    const wheel = new DeadlineWheel((e) => errors.push(e));
    const bad = new Probe(Date.now() + 10, () => {
      throw new Error('owner bug');
    });
    const good = new Probe(Date.now() + 10);
    wheel.schedule(bad, 10);
    wheel.schedule(good, 10);
    vi.advanceTimersByTime(20);
    expect(good.expiredAt).toBeDefined();
    expect(errors).toHaveLength(1);
  });

  it('lets an entry schedule itself again from expire()', () => {
    const wheel = new DeadlineWheel();
    let rounds = 0;
    const p: Probe = new Probe(Date.now() + 10, (now) => {
      if (++rounds < 3) {
        p.deadline = now + 10;
        wheel.schedule(p, 10);
      }
    });
    wheel.schedule(p, 10);
    vi.advanceTimersByTime(100);
    expect(rounds).toBe(3);
    expect(wheel.size).toBe(0);
  });

  it('close() drops every entry and the timer, is idempotent, and the wheel can be used again', () => {
    const wheel = new DeadlineWheel();
    const dropped = new Probe(Date.now() + 10);
    wheel.schedule(dropped, 10);
    wheel.close();
    wheel.close();
    expect(wheel.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(dropped.expiredAt).toBeUndefined();
    wheel.cancel(dropped); // no longer on the wheel: a no-op
    const later = new Probe(Date.now() + 10);
    wheel.schedule(later, 10);
    vi.advanceTimersByTime(100);
    expect(later.expiredAt).toBeDefined();
  });

  it('matches a model: every entry expires once, within its slack, unless cancelled (property)', () => {
    type Op =
      | { kind: 'schedule'; delay: number; slack: number }
      | { kind: 'cancel'; pick: number }
      | { kind: 'extend'; pick: number; by: number }
      | { kind: 'advance'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('schedule' as const),
        delay: fc.integer({ min: 0, max: 2_000 }),
        slack: fc.constantFrom(0, 10, 37, 100, 1_000),
      }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({
        kind: fc.constant('extend' as const),
        pick: fc.nat(),
        by: fc.integer({ min: 1, max: 500 }),
      }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 700 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        vi.clearAllTimers();
        const wheel = new DeadlineWheel();
        const live: { probe: Probe; slack: number }[] = [];
        const cancelled: Probe[] = [];
        for (const o of ops) {
          if (o.kind === 'schedule') {
            const probe = new Probe(Date.now() + o.delay);
            live.push({ probe, slack: Math.max(o.slack, MIN_SLACK_MS) });
            wheel.schedule(probe, o.slack);
          } else if (o.kind === 'cancel' && live.length > 0) {
            const [rec] = live.splice(o.pick % live.length, 1);
            if (rec?.probe.expiries === 0) {
              wheel.cancel(rec.probe);
              cancelled.push(rec.probe);
            }
          } else if (o.kind === 'extend' && live.length > 0) {
            const rec = live[o.pick % live.length];
            if (rec?.probe.expiries === 0) rec.probe.deadline += o.by;
          } else if (o.kind === 'advance') vi.advanceTimersByTime(o.ms);
          for (const rec of live) {
            if (rec.probe.expiries > 0) {
              expect(rec.probe.expiries).toBe(1);
              expect(rec.probe.expiredAt).toBeGreaterThanOrEqual(rec.probe.deadline);
            } else expect(Date.now() - rec.probe.deadline).toBeLessThan(rec.slack);
          }
        }
        vi.advanceTimersByTime(10_000);
        for (const rec of live) expect(rec.probe.expiries).toBe(1);
        for (const p of cancelled) expect(p.expiredAt).toBeUndefined();
        expect(wheel.size).toBe(0);
        expect(vi.getTimerCount()).toBe(0);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('DeadlineWheel timer', () => {
  it('never keeps the process alive (its timer is unref’d)', () => {
    const wheel = new DeadlineWheel();
    const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = refTimers();
    wheel.schedule(new Probe(Date.now() + 60_000), 1_000);
    expect(refTimers()).toBe(before);
    wheel.close();
  });
});

describe('InflightTable on a deadline wheel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires a request without progress after the timeout, and one with progress at the cap', () => {
    const wheel = new DeadlineWheel();
    const expired: { id: InflightRequest['id']; after: number }[] = [];
    const start = Date.now();
    const table = new InflightTable(
      1_000,
      3_000,
      (r) => expired.push({ id: r.id, after: Date.now() - start }),
      wheel,
    );
    table.add(1, 'tools/call', undefined);
    table.add(2, 'tools/call', 'tok');
    table.add(3, 'tools/call', undefined);
    expect(table.take(3)?.id).toBe(3);
    for (let t = 0; t < 4_000; t += 200) {
      table.progressed('tok');
      vi.advanceTimersByTime(200);
    }
    expect(expired.map((e) => e.id)).toEqual([1, 2]);
    const [first, second] = expired;
    expect(first?.after).toBeGreaterThanOrEqual(1_000);
    expect(first?.after).toBeLessThan(1_200);
    expect(second?.after).toBeGreaterThanOrEqual(3_000);
    expect(second?.after).toBeLessThan(3_200);
    expect(table.size).toBe(0);
    expect(wheel.size).toBe(0);
  });

  it('takes answered and drained requests off the wheel; timeout 0 files nothing', () => {
    const wheel = new DeadlineWheel();
    const expired: unknown[] = [];
    const table = new InflightTable(500, 500, (r) => expired.push(r.id), wheel);
    table.add('a', 'ping', undefined);
    table.add('b', 'ping', undefined);
    table.add('a', 'ping', undefined); // the same id again replaces the first
    expect(wheel.size).toBe(2);
    table.take('b');
    expect(table.drain().map((r) => r.id)).toEqual(['a']);
    expect(wheel.size).toBe(0);
    const none = new InflightTable(0, 0, (r) => expired.push(r.id), wheel);
    none.add('c', 'ping', undefined);
    expect(wheel.size).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual([]);
    expect(none.has('c')).toBe(true);
  });
});
