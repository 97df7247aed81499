import type { Registry } from 'prom-client';
import { loadPromClient } from '../lazy-modules.js';
import type { MetricSink } from './fast-metrics.js';

/**
 * A prom-client {@link Registry} built on first access: metrics registered before are kept, in order,
 * and handed to it then. Counting needs no prom-client (the fast metrics keep their own values), so a
 * process whose metrics are never scraped never loads it.
 */
export class DeferredRegistry implements MetricSink {
  readonly #pending: unknown[] = [];
  readonly #onBuilt: ((registry: Registry) => void) | undefined;
  #whenBuilt: ((registry: Registry) => void)[] = [];
  #registry: Registry | undefined;

  /** @param onBuilt - called once the registry exists, after the pending metrics were registered */
  constructor(onBuilt?: (registry: Registry) => void) {
    this.#onBuilt = onBuilt;
  }

  /** Registers `metric` now if the registry exists, else when it is built. */
  registerMetric(metric: never): void {
    if (this.#registry === undefined) this.#pending.push(metric);
    else this.#registry.registerMetric(metric);
  }

  /**
   * Calls `register` with the registry once it is built (at once if it is), for metrics that need
   * prom-client itself (its `Gauge` with a `collect`): they load it only when someone reads them.
   */
  whenBuilt(register: (registry: Registry) => void): void {
    if (this.#registry === undefined) this.#whenBuilt.push(register);
    else register(this.#registry);
  }

  /** The registry (built, and prom-client loaded, on the first call). */
  get registry(): Registry {
    if (this.#registry !== undefined) return this.#registry;
    const registry = new (loadPromClient().Registry)();
    for (const metric of this.#pending.splice(0)) registry.registerMetric(metric as never);
    this.#registry = registry;
    this.#onBuilt?.(registry);
    const waiting = this.#whenBuilt;
    this.#whenBuilt = [];
    for (const register of waiting) register(registry);
    return registry;
  }
}
