package io.vigil.jobs.rollup.records;

import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The running aggregate of one open window of one series, kept in keyed state until the window
 * closes.
 */
public class RollupAccumulator {
    /** How Flink serialises accumulators in state. */
    public static final TypeInformation<RollupAccumulator> TYPE =
            Types.POJO(
                    RollupAccumulator.class,
                    Map.of(
                            "metric", Types.STRING,
                            "labels", Types.MAP(Types.STRING, Types.STRING),
                            "count", Types.LONG,
                            "sum", Types.DOUBLE,
                            "min", Types.DOUBLE,
                            "max", Types.DOUBLE,
                            "last", Types.DOUBLE,
                            "lastTimestamp", Types.LONG));

    public String metric;
    public Map<String, String> labels;
    public long count;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public double last;
    public long lastTimestamp = Long.MIN_VALUE;

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
    }

    /** The finished aggregate of the window starting at {@code windowStart}. */
    public Rollup toRollup(long seriesId, long windowStart) {
        return new Rollup(seriesId, metric, labels, windowStart, count, sum, min, max, last);
    }
}
