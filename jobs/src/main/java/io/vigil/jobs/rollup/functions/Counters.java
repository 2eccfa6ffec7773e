package io.vigil.jobs.rollup.functions;

/**
 * Counters: monotonic totals that reset to zero when their process restarts. Their level means
 * little; their increase and rate do.
 *
 * <p>A metric is a counter when its name says so, by the Prometheus and OpenMetrics conventions:
 * {@code _total}, and the {@code _count}, {@code _sum} and {@code _bucket} series of histograms and
 * summaries. No sample carries a type, and exporters follow these names almost without exception.
 */
public final class Counters {
    private Counters() {}

    /** Whether a metric name denotes a counter. */
    public static boolean isCounter(String metric) {
        return metric.endsWith("_total")
                || metric.endsWith("_count")
                || metric.endsWith("_sum")
                || metric.endsWith("_bucket");
    }

    /**
     * How much a counter grew over samples in time order: the sum of the steps between consecutive
     * values, where a value below its predecessor is a reset and counts from zero (as Prometheus'
     * {@code increase()} does). Non-finite values are skipped.
     *
     * @param previous the last value before these samples, or NaN if none is known (then the first
     *     sample is the baseline)
     * @param values the values, sorted by their timestamps
     */
    public static double increase(double previous, double[] values) {
        double increase = 0;
        double before = previous;
        for (double value : values) {
            if (!Double.isFinite(value)) {
                continue;
            }
            if (Double.isFinite(before)) {
                increase += value >= before ? value - before : value;
            }
            before = value;
        }
        return increase;
    }
}
