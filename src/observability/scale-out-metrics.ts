import type { Registry } from 'prom-client';
import { loadPromClient } from '../lazy-modules.js';

/** Where the scale-out figures come from (each optional). */
export interface ScaleOutSources {
  /** Worker queues of this process (`switchboard worker`, `listen('redis://…')`). */
  queues?: () => readonly {
    counts: { adopted: number; rerun: number; refused: number };
    stats(): Promise<{ depth: number; pending: number }>;
  }[];
  /** Sessions this gateway instance took over from dead instances. */
  adoptedSessions?: () => number;
}

/**
 * Registers the scale-out metrics on `registry`, read when scraped:
 * `switchboard_queue_depth` (records waiting in the pool stream and this worker's inbox),
 * `switchboard_queue_pending` (read, not yet answered), `switchboard_queue_reclaimed_total` by outcome
 * (`rerun` | `refused`), `switchboard_queue_adopted_connections_total` and
 * `switchboard_adopted_sessions_total` (gateway sessions taken over from dead instances).
 * Counters are exposed as gauges of monotonic totals (they live in the queue/state objects).
 */
export function registerScaleOutMetrics(registry: Registry, sources: ScaleOutSources): void {
  const { Gauge } = loadPromClient();
  const registers = [registry];
  const queues = sources.queues ?? (() => []);
  new Gauge({
    name: 'switchboard_queue_depth',
    help: 'Records waiting in the pool stream and this worker’s inbox (not yet read).',
    registers,
    async collect() {
      let depth = 0;
      for (const q of queues()) depth += (await q.stats().catch(() => ({ depth: 0 }))).depth;
      this.set(depth);
    },
  });
  new Gauge({
    name: 'switchboard_queue_pending',
    help: 'Records read by this worker and not yet answered (requests in flight).',
    registers,
    async collect() {
      let pending = 0;
      for (const q of queues()) pending += (await q.stats().catch(() => ({ pending: 0 }))).pending;
      this.set(pending);
    },
  });
  new Gauge({
    name: 'switchboard_queue_reclaimed_total',
    help: 'Requests reclaimed from dead workers, by outcome: rerun (safe) or refused (WORKER_LOST error).',
    labelNames: ['outcome'],
    registers,
    collect() {
      let rerun = 0;
      let refused = 0;
      for (const q of queues()) {
        rerun += q.counts.rerun;
        refused += q.counts.refused;
      }
      this.set({ outcome: 'rerun' }, rerun);
      this.set({ outcome: 'refused' }, refused);
    },
  });
  new Gauge({
    name: 'switchboard_queue_adopted_connections_total',
    help: 'Client connections this worker took over from dead workers.',
    registers,
    collect() {
      let n = 0;
      for (const q of queues()) n += q.counts.adopted;
      this.set(n);
    },
  });
  new Gauge({
    name: 'switchboard_adopted_sessions_total',
    help: 'Sessions this gateway instance took over from dead instances.',
    registers,
    collect() {
      this.set(sources.adoptedSessions?.() ?? 0);
    },
  });
}
