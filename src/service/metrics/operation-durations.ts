import type { Metric, MetricValue, Registry } from 'prom-client';

/** The labels of one series of the operation duration histogram. */
export interface DurationLabels {
  operation: string;
  outcome: 'ok' | 'error';
}

/** A histogram sample as prom-client's Registry renders it: bucket labels apart from the series'. */
interface ExportedValue {
  labels: { le?: number | string };
  sharedLabels: DurationLabels;
  value: number;
  metricName: string;
  exemplar?: null;
}

/** What prom-client's Registry reads from a metric to render or list it. */
interface ExportedMetric<V> {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: V[];
}

/**
 * The per-operation latency histogram, recorded without prom-client's per-observation work.
 * prom-client's Histogram validates and hashes the labels and turns the bucket bound into a
 * property name on every `observe` (about 3% of the service's CPU on the link routes, as much as
 * the whole Redis call's bookkeeping): here each (operation, outcome) series is looked up once,
 * when its route is registered, and an observation is a bucket search and three additions.
 * Registered in the service's prom-client Registry, it renders exactly as a prom-client Histogram
 * with the same name, buckets and observations would (operation-durations.spec.ts checks it):
 * series in the order of their first observation, none before it.
 */
export class OperationDurations {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly bySeries = new Map<string, DurationSeries>();
  /** Series observed at least once, in the order of their first observation. */
  private observed: DurationSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    // The Registry asks a metric for its name, get/getForPromString and reset, nothing else.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of one operation and outcome, to observe without a lookup per observation. */
  series(operation: string, outcome: DurationLabels['outcome']): DurationSeries {
    const key = `${outcome}:${operation}`;
    let series = this.bySeries.get(key);
    if (!series) {
      series = new DurationSeries({ operation, outcome }, this.buckets, (first) =>
        this.observed.push(first),
      );
      this.bySeries.set(key, series);
    }
    return series;
  }

  /** As prom-client's `Histogram.reset()` (Registry.resetMetrics): every series starts over, unlisted. */
  reset(): void {
    for (const series of this.bySeries.values()) series.clear();
    this.observed = [];
  }

  getForPromString(): Promise<ExportedMetric<ExportedValue>> {
    const values = this.observed.flatMap((series) => series.exported(this.name));
    return Promise.resolve({ ...this.identity(), values });
  }

  /** As prom-client's `Histogram.get()` (Registry.getMetricsAsJSON): bucket and series labels merged. */
  get(): Promise<ExportedMetric<MetricValue<string>>> {
    const values = this.observed.flatMap((series) =>
      series.exported(this.name).map(({ labels, sharedLabels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    );
    return Promise.resolve({ ...this.identity(), values });
  }

  private identity(): Omit<ExportedMetric<never>, 'values'> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator };
  }
}

/** One (operation, outcome) series: counts per bucket (not cumulative), sum and count. */
export class DurationSeries {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly labels: DurationLabels,
    private readonly bounds: readonly number[],
    private readonly onFirstObservation: (series: DurationSeries) => void,
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(seconds: number): void {
    // prom-client refuses these too; a duration never is one.
    if (!Number.isFinite(seconds)) throw new TypeError(`Value is not a valid number: ${seconds}`);
    if (this.count === 0) this.onFirstObservation(this);
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && seconds > bounds[bucket]) bucket++;
    // Above the last bound: only in +Inf, which is the count.
    if (bucket < bounds.length) this.counts[bucket]++;
    this.sum += seconds;
    this.count++;
  }

  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  /** The samples prom-client's Histogram exports for one series, in its order and shape. */
  exported(name: string): ExportedValue[] {
    const sharedLabels = this.labels;
    const bucketName = `${name}_bucket`;
    let cumulative = 0;
    const values: ExportedValue[] = this.bounds.map((le, i) => {
      cumulative += this.counts[i];
      return {
        labels: { le },
        sharedLabels,
        value: cumulative,
        metricName: bucketName,
        exemplar: null,
      };
    });
    values.push(
      {
        labels: { le: '+Inf' },
        sharedLabels,
        value: this.count,
        metricName: bucketName,
        exemplar: null,
      },
      { labels: {}, sharedLabels, value: this.sum, metricName: `${name}_sum`, exemplar: undefined },
      {
        labels: {},
        sharedLabels,
        value: this.count,
        metricName: `${name}_count`,
        exemplar: undefined,
      },
    );
    return values;
  }
}
