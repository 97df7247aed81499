/**
 * Where a fast metric registers: a prom-client `Registry`, or anything that hands the metric on
 * to one later (`SwitchboardMetrics` builds its registry on first scrape).
 */
export interface MetricSink {
  registerMetric(metric: never): void;
}

/** One labelled series of a {@link FastHistogram}: observing is an array increment, nothing more. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** One labelled series of a {@link FastCounter}. */
export interface CounterSeries {
  inc(by?: number): void;
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The shape prom-client's registry reads from a metric at scrape time. */
interface ScrapedMetric {
  name: string;
  help: string;
  type: 'histogram' | 'counter' | 'gauge';
  aggregator: 'sum';
  values: MetricValue[];
}

/**
 * A histogram for the hot path, registered in a prom-client `Registry` like any metric.
 * prom-client's own `observe()` validates and hashes the label object on every call (about a
 * microsecond, per request of the proxy); here a series is looked up once and observing only bumps a
 * bucket, the sum and the count. Rendering (at scrape time) builds the usual `_bucket`/`_sum`/`_count`
 * lines with cumulative buckets.
 */
export class FastHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #bounds: readonly number[];
  readonly #series = new Map<
    string,
    { labels: Record<string, string>; counts: Float64Array; sum: number; count: number }
  >();

  /**
   * @param registry - where it is scraped from
   * @param options - name, help and bucket upper bounds, ascending (`+Inf` is implied)
   */
  constructor(registry: MetricSink, options: { name: string; help: string; buckets: readonly number[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    registry.registerMetric(this as never);
  }

  /**
   * The series of these label values (created on first use). Keep the handle: looking it up is the
   * only cost beyond the increment.
   */
  series(labels: Record<string, string>): HistogramSeries {
    const key = JSON.stringify(labels);
    let s = this.#series.get(key);
    if (s === undefined) {
      s = { labels: { ...labels }, counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    const series = s;
    const bounds = this.#bounds;
    return {
      observe(value: number): void {
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i++;
        series.counts[i] = (series.counts[i] as number) + 1;
        series.sum += value;
        series.count++;
      },
    };
  }

  /** Called by the registry at scrape time. */
  get(): Promise<ScrapedMetric> {
    const values: MetricValue[] = [];
    for (const s of this.#series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.#bounds.length; i++) {
        cumulative += s.counts[i] as number;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...s.labels, le: i < this.#bounds.length ? (this.#bounds[i] as number) : '+Inf' },
          value: cumulative,
        });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  reset(): void {
    this.#series.clear();
  }
}

/** The series of a counter or gauge keyed by their label values, each one number. */
class ValueSeries {
  readonly #series = new Map<string, { labels: Record<string, string>; value: number }>();

  /** The series of these label values (created on first use, at 0). */
  of(labels: Record<string, string>): { labels: Record<string, string>; value: number } {
    const key = JSON.stringify(labels);
    let s = this.#series.get(key);
    if (s === undefined) {
      s = { labels: { ...labels }, value: 0 };
      this.#series.set(key, s);
    }
    return s;
  }

  values(): { labels: Record<string, string>; value: number }[] {
    return [...this.#series.values()].map((s) => ({ labels: s.labels, value: s.value }));
  }

  clear(): void {
    this.#series.clear();
  }
}

/** A counter for the hot path; see {@link FastHistogram} for why. */
export class FastCounter {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter' as const;
  readonly aggregator = 'sum' as const;
  readonly #series = new ValueSeries();

  constructor(registry: MetricSink, options: { name: string; help: string }) {
    this.name = options.name;
    this.help = options.help;
    registry.registerMetric(this as never);
  }

  /** The series of these label values (created on first use). */
  series(labels: Record<string, string>): CounterSeries {
    const series = this.#series.of(labels);
    return {
      inc(by = 1): void {
        series.value += by;
      },
    };
  }

  get(): Promise<ScrapedMetric> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.#series.values(),
    });
  }

  reset(): void {
    this.#series.clear();
  }
}

/** One labelled series of a {@link FastGauge}. */
export interface GaugeSeries {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
}

/**
 * A gauge without prom-client's per-call label hashing (see {@link FastHistogram}); `collect`, when
 * given, runs at scrape time to set the values that are read rather than tracked.
 */
export class FastGauge {
  readonly name: string;
  readonly help: string;
  readonly type = 'gauge' as const;
  readonly aggregator = 'sum' as const;
  readonly #series = new ValueSeries();
  readonly #collect: ((gauge: FastGauge) => void | Promise<void>) | undefined;

  constructor(
    registry: MetricSink,
    options: { name: string; help: string; collect?: (gauge: FastGauge) => void | Promise<void> },
  ) {
    this.name = options.name;
    this.help = options.help;
    this.#collect = options.collect;
    registry.registerMetric(this as never);
  }

  /** The series of these label values (created on first use, at 0). */
  series(labels: Record<string, string>): GaugeSeries {
    const series = this.#series.of(labels);
    return {
      set(value: number): void {
        series.value = value;
      },
      inc(by = 1): void {
        series.value += by;
      },
      dec(by = 1): void {
        series.value -= by;
      },
    };
  }

  /** Sets the series of `labels` to `value`. */
  set(labels: Record<string, string>, value: number): void {
    this.series(labels).set(value);
  }

  async get(): Promise<ScrapedMetric> {
    await this.#collect?.(this);
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.#series.values(),
    };
  }

  reset(): void {
    this.#series.clear();
  }
}
