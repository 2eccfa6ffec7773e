package io.vigil.jobs.rollup.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The aggregate of one metric over one group of hosts (a rack, a cluster, a data centre, or the
 * whole fleet) and one window: a row of {@code group_rollups}.
 *
 * <p>{@code total} is the sum over the group's series of each series' mean in the window (the
 * memory used by a data centre, the load of a rack); {@code rate} the sum of the counters' rates
 * (the bytes per second a cluster receives). Quantiles come from the merged sketches of all the
 * group's samples.
 */
public class GroupRollup {
    /** How Flink serialises group rollups. */
    public static final TypeInformation<GroupRollup> TYPE = Types.POJO(GroupRollup.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("level", Types.STRING);
        fields.put("group", Types.STRING);
        fields.put("rack", Types.STRING);
        fields.put("cluster", Types.STRING);
        fields.put("dc", Types.STRING);
        fields.put("metric", Types.STRING);
        fields.put("windowStart", Types.LONG);
        fields.put("series", Types.LONG);
        fields.put("count", Types.LONG);
        fields.put("total", Types.DOUBLE);
        fields.put("min", Types.DOUBLE);
        fields.put("max", Types.DOUBLE);
        fields.put("rate", Types.DOUBLE);
        fields.put("p50", Types.DOUBLE);
        fields.put("p90", Types.DOUBLE);
        fields.put("p99", Types.DOUBLE);
        fields.put("sketch", Types.PRIMITIVE_ARRAY(Types.BYTE));
        return fields;
    }

    /** series (inside the job only), rack, cluster, dc or global. */
    public String level;

    /** The rack, cluster or data centre name; {@code global} for the whole fleet. */
    public String group;

    /** Where the group sits: its rack, cluster and data centre (those above it are what count). */
    public String rack;

    public String cluster;
    public String dc;

    public String metric;
    public long windowStart;

    /** Series of the metric in the group that reported in the window. */
    public long series;

    /** Samples behind the aggregate. */
    public long count;

    public double total;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;

    /** Sum of the counters' rates, per second; NaN for gauges. */
    public double rate = Double.NaN;

    public double p50 = Double.NaN;
    public double p90 = Double.NaN;
    public double p99 = Double.NaN;
    public byte[] sketch = new byte[0];

    /** The label value of hosts that lack a level's label: they still count above it. */
    public static final String UNPLACED = "unplaced";

    /** For Flink's POJO serializer. */
    public GroupRollup() {}

    /** One series' rollup as the smallest group, placed by its host's labels. */
    public static GroupRollup ofSeries(Rollup rollup) {
        GroupRollup series = new GroupRollup();
        series.level = "series";
        series.group = Long.toString(rollup.seriesId);
        series.rack = placement(rollup.labels, io.vigil.schemas.Labels.RACK);
        series.cluster = placement(rollup.labels, io.vigil.schemas.Labels.CLUSTER);
        series.dc = placement(rollup.labels, io.vigil.schemas.Labels.DC);
        series.metric = rollup.metric;
        series.windowStart = rollup.windowStart;
        series.series = 1;
        series.count = rollup.count;
        series.total = rollup.sum / rollup.count;
        series.min = rollup.min;
        series.max = rollup.max;
        series.rate = rollup.rate;
        series.sketch = rollup.sketch;
        return series;
    }

    /** A place label of a series, or {@link #UNPLACED}. */
    static String placement(Map<String, String> labels, String label) {
        String value = labels.get(label);
        return value == null || value.isEmpty() ? UNPLACED : value;
    }

    @Override
    public String toString() {
        return String.format(
                "GroupRollup{%s=%s %s, start=%d, series=%d, count=%d, total=%s, min=%s, max=%s,"
                        + " rate=%s, p50=%s, p99=%s}",
                level, group, metric, windowStart, series, count, total, min, max, rate, p50, p99);
    }
}
