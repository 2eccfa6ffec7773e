package io.vigil.jobs.rollup.records;

import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The aggregate of one series over one window: a row of {@code rollups_1m}.
 *
 * <p>A Flink POJO with its type information spelled out ({@link #TYPE}), so the labels map is
 * serialised natively instead of falling back to Kryo.
 */
public class Rollup {
    /** How Flink serialises rollups. */
    public static final TypeInformation<Rollup> TYPE =
            Types.POJO(
                    Rollup.class,
                    Map.of(
                            "seriesId", Types.LONG,
                            "metric", Types.STRING,
                            "labels", Types.MAP(Types.STRING, Types.STRING),
                            "windowStart", Types.LONG,
                            "count", Types.LONG,
                            "sum", Types.DOUBLE,
                            "min", Types.DOUBLE,
                            "max", Types.DOUBLE,
                            "last", Types.DOUBLE));

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
                "Rollup{series=%s %s%s, start=%d, count=%d, sum=%s, min=%s, max=%s, last=%s}",
                seriesId, metric, labels, windowStart, count, sum, min, max, last);
    }
}
