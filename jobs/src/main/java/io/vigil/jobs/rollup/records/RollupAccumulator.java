package io.vigil.jobs.rollup.records;

import io.vigil.jobs.rollup.functions.QuantileSketches;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The running aggregate of one open window of one series, kept in keyed state until the window
 * closes.
 *
 * <p>Counters also keep their samples of the window (typically 6 to 60): the increase of a counter
 * with resets depends on the order of its values in time, and samples may arrive out of order.
 */
public class RollupAccumulator {
    /** How Flink serialises accumulators in state. */
    public static final TypeInformation<RollupAccumulator> TYPE =
            Types.POJO(RollupAccumulator.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("metric", Types.STRING);
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("count", Types.LONG);
        fields.put("sum", Types.DOUBLE);
        fields.put("min", Types.DOUBLE);
        fields.put("max", Types.DOUBLE);
        fields.put("last", Types.DOUBLE);
        fields.put("lastTimestamp", Types.LONG);
        fields.put("sketch", Types.PRIMITIVE_ARRAY(Types.BYTE));
        fields.put("counterTimestamps", Types.PRIMITIVE_ARRAY(Types.LONG));
        fields.put("counterValues", Types.PRIMITIVE_ARRAY(Types.DOUBLE));
        return fields;
    }

    public String metric;
    public Map<String, String> labels;
    public long count;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public double last;
    public long lastTimestamp = Long.MIN_VALUE;
    public byte[] sketch = new byte[0];

    /** Counters only: the window's samples, in arrival order. */
    public long[] counterTimestamps = new long[0];

    public double[] counterValues = new double[0];

    /** Adds one sample. Among samples with equal timestamps the later arrival wins "last". */
    public void add(
            String sampleMetric,
            Map<String, String> sampleLabels,
            double value,
            long ts,
            boolean counter) {
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
        sketch = QuantileSketches.add(sketch, value);
        if (counter) {
            int n = counterTimestamps.length;
            counterTimestamps = Arrays.copyOf(counterTimestamps, n + 1);
            counterValues = Arrays.copyOf(counterValues, n + 1);
            counterTimestamps[n] = ts;
            counterValues[n] = value;
        }
    }

    /** Whether counter samples were kept. */
    public boolean isCounter() {
        return counterTimestamps.length > 0;
    }

    /** The finished aggregate of the window starting at {@code windowStart}. */
    public Rollup toRollup(long seriesId, long windowStart) {
        Rollup rollup =
                new Rollup(seriesId, metric, labels, windowStart, count, sum, min, max, last);
        rollup.lastTimestamp = lastTimestamp;
        rollup.sketch = sketch;
        double[] quantiles = QuantileSketches.quantiles(sketch, 0.5, 0.9, 0.99);
        rollup.p50 = quantiles[0];
        rollup.p90 = quantiles[1];
        rollup.p99 = quantiles[2];
        return rollup;
    }
}
