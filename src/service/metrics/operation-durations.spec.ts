import { Histogram, Registry } from 'prom-client';
import { OperationDurations } from './operation-durations';

const NAME = 'stateful_operation_duration_seconds';
const HELP = 'Time to serve one API operation, by operation and outcome';
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The same observations into OperationDurations and into the prom-client Histogram it stands for. */
function both() {
  const ours = new Registry();
  const durations = new OperationDurations(NAME, HELP, BUCKETS, ours);
  const theirs = new Registry();
  const histogram = new Histogram({
    name: NAME,
    help: HELP,
    labelNames: ['operation', 'outcome'] as const,
    buckets: BUCKETS,
    registers: [theirs],
  });
  const observe = (operation: string, outcome: 'ok' | 'error', seconds: number) => {
    durations.series(operation, outcome).observe(seconds);
    histogram.observe({ operation, outcome }, seconds);
  };
  return { ours, theirs, observe, durations };
}

describe('OperationDurations', () => {
  it('renders as the prom-client Histogram fed the same observations: text and JSON', async () => {
    const { ours, theirs, observe } = both();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // Bounds themselves, between them, above the last; series in the order of first observation.
    observe('getLinkedPod', 'ok', 0.0005);
    observe('setLinkedPod', 'ok', 0.0007);
    observe('getLinkedPod', 'error', 3);
    observe('getLinkedPod', 'ok', 0.1);
    observe('setLinkedPod', 'ok', 0);
    observe('odd "name"\\', 'ok', 2.5);
    for (let i = 0; i < 50; i++) observe('getLinkedPod', 'ok', i / 997);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('lists a series from its first observation only, and starts over on reset', async () => {
    const { ours, theirs, observe, durations } = both();
    durations.series('removeLinkedPod', 'ok');
    observe('getLinkedPod', 'ok', 0.002);
    expect(await ours.metrics()).not.toMatch(/removeLinkedPod/);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    observe('setLinkedPod', 'ok', 0.02);
    observe('getLinkedPod', 'ok', 0.004);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const { durations } = both();
    expect(() => durations.series('getLinkedPod', 'ok').observe(Number.NaN)).toThrow(TypeError);
  });
});
