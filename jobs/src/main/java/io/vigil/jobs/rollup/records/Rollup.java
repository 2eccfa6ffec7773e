package io.vigil.jobs.rollup.records;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The aggregate of one series over one window: a row of {@code rollups_1m} or {@code rollups_1h}.
 *
 * <p>A Flink POJO with its type information spelled out ({@link #TYPE}), so the labels map is
 * serialised natively instead of falling back to Kryo. Doubles that do not apply are NaN (Flink's
 * double serializer has no null): {@code rate} and {@code increase} for gauges, the quantiles when
 * no value was finite.
 */
public class Rollup {
    /** How Flink serialises rollups. */
    public static final TypeInformation<Rollup> TYPE = Types.POJO(Rollup.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("seriesId", Types.LONG);
        fields.put("metric", Types.STRING);
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("windowStart", Types.LONG);
        fields.put("count", Types.LONG);
        fields.put("sum", Types.DOUBLE);
        fields.put("min", Types.DOUBLE);
        fields.put("max", Types.DOUBLE);
        fields.put("last", Types.DOUBLE);
        fields.put("lastTimestamp", Types.LONG);
        fields.put("p50", Types.DOUBLE);
        fields.put("p90", Types.DOUBLE);
        fields.put("p99", Types.DOUBLE);
        fields.put("increase", Types.DOUBLE);
        fields.put("rate", Types.DOUBLE);
        fields.put("sketch", Types.PRIMITIVE_ARRAY(Types.BYTE));
        return fields;
    }

    /** Series id, see {@link io.vigil.schemas.SeriesIds}. */
    public long seriesId;

    public String metric;
    public Map<String, String> labels;

    /** Start of the window, ms since the epoch; the window is [start, start + length). */
    public long windowStart;

    public long count;
    public double sum;
    public double min;
    public double max;

    /** The value of the sample with the latest event time in the window. */
    public double last;

    /** Event time of {@link #last}, ms since the epoch; cascading uses it to pick the last. */
    public long lastTimestamp;

    /** Quantiles from {@link #sketch}, within 1 % relative error. */
    public double p50 = Double.NaN;

    public double p90 = Double.NaN;
    public double p99 = Double.NaN;

    /** Counters only: how much the counter grew in the window, counter resets accounted for. */
    public double increase = Double.NaN;

    /** Counters only: {@link #increase} per second of window. */
    public double rate = Double.NaN;

    /** The serialised DDSketch of the window's values; merges into coarser windows and groups. */
    public byte[] sketch;

    /** For Flink's POJO serializer. */
    public Rollup() {}

    public Rollup(
            long seriesId,
            String metric,
            Map<String, String> labels,
            long windowStart,
            long count,
            double sum,
            double min,
            double max,
            double last) {
        this.seriesId = seriesId;
        this.metric = metric;
        this.labels = labels;
        this.windowStart = windowStart;
        this.count = count;
        this.sum = sum;
        this.min = min;
        this.max = max;
        this.last = last;
    }

    /** Whether the series counts something (a rate applies) rather than measuring a level. */
    public boolean isCounter() {
        return !Double.isNaN(increase);
    }

    /**
     * Equal in identity, window and every figure an analyst reads; the sketch bytes are compared
     * through the quantiles they give.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Rollup other)) {
            return false;
        }
        return seriesId == other.seriesId
                && windowStart == other.windowStart
                && count == other.count
                && Double.compare(sum, other.sum) == 0
                && Double.compare(min, other.min) == 0
                && Double.compare(max, other.max) == 0
                && Double.compare(last, other.last) == 0
                && Double.compare(p50, other.p50) == 0
                && Double.compare(p90, other.p90) == 0
                && Double.compare(p99, other.p99) == 0
                && Double.compare(rate, other.rate) == 0
                && Objects.equals(metric, other.metric)
                && Objects.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seriesId, windowStart);
    }

    @Override
    public String toString() {
        return String.format(
                "Rollup{series=%s %s%s, start=%d, count=%d, sum=%s, min=%s, max=%s, last=%s,"
                        + " p50=%s, p90=%s, p99=%s, rate=%s}",
                seriesId,
                metric,
                labels,
                windowStart,
                count,
                sum,
                min,
                max,
                last,
                p50,
                p90,
                p99,
                rate);
    }
}
