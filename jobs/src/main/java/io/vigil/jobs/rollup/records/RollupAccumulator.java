package io.vigil.jobs.rollup.records;

import io.vigil.jobs.rollup.functions.QuantileSketches;
import java.util.Arrays;
import java.util.Map;

/**
 * The aggregate of one window of one series, built from the window's samples when it closes.
 *
 * <p>The quantile sketch is built once, from all finite values, when the rollup is made. A
 * counter's increase is not computed here: it needs the window's values in time order, which the
 * caller has.
 */
public class RollupAccumulator {
    public String metric;
    public Map<String, String> labels;
    public long count;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public double last;
    public long lastTimestamp = Long.MIN_VALUE;

    /** The finite values, for the quantile sketch; {@code sketchValues[0..sketchCount)}. */
    private double[] sketchValues = new double[8];

    private int sketchCount;

    /** Adds one sample. Among samples with equal timestamps the later arrival wins "last". */
    public void add(String sampleMetric, Map<String, String> sampleLabels, double value, long ts) {
        if (count == 0) {
            metric = sampleMetric;
            labels = sampleLabels;
        }
        count++;
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
        if (ts >= lastTimestamp) {
            last = value;
            lastTimestamp = ts;
        }
        if (Double.isFinite(value)) {
            if (sketchCount == sketchValues.length) {
                sketchValues = Arrays.copyOf(sketchValues, sketchCount * 2);
            }
            sketchValues[sketchCount++] = value;
        }
    }

    /** The finished aggregate of the window starting at {@code windowStart}. */
    public Rollup toRollup(long seriesId, long windowStart) {
        Rollup rollup =
                new Rollup(seriesId, metric, labels, windowStart, count, sum, min, max, last);
        rollup.lastTimestamp = lastTimestamp;
        rollup.sketch = QuantileSketches.of(sketchValues, sketchCount);
        double[] quantiles = QuantileSketches.quantiles(rollup.sketch, 0.5, 0.9, 0.99);
        rollup.p50 = quantiles[0];
        rollup.p90 = quantiles[1];
        rollup.p99 = quantiles[2];
        return rollup;
    }
}
