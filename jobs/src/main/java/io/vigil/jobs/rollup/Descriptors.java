package io.vigil.jobs.rollup;

import io.vigil.jobs.rollup.records.GroupRollup;
import io.vigil.jobs.rollup.records.HostRow;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.SeriesIdentity;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.util.OutputTag;

/** State descriptors of the metrics-rollup job, in one place because savepoints depend on them. */
public final class Descriptors {
    /**
     * Counters only: the latest sample (event time, value) of the last written window, the baseline
     * of the next window's increase. Cleared when the counter stays silent.
     */
    public static final ValueStateDescriptor<Tuple2<Long, Double>> LAST_COUNTER_SAMPLE =
            new ValueStateDescriptor<>(
                    "last-counter-sample", Types.TUPLE(Types.LONG, Types.DOUBLE));

    /** Open coarser windows fed by finer rollups: window start (ms) to the merged rollup. */
    public static final MapStateDescriptor<Long, Rollup> OPEN_CASCADED_WINDOWS =
            new MapStateDescriptor<>("open-cascaded-windows", Types.LONG, Rollup.TYPE);

    /** Open windows of a group's aggregate of a metric: window start (ms) to the aggregate. */
    public static final MapStateDescriptor<Long, GroupRollup> OPEN_GROUP_WINDOWS =
            new MapStateDescriptor<>("open-group-windows", Types.LONG, GroupRollup.TYPE);

    /**
     * The UTC day (days since the epoch) a series was last written to the series registry, kept two
     * days after the series' last report.
     */
    public static ValueStateDescriptor<Long> seriesRegisteredDay() {
        ValueStateDescriptor<Long> descriptor =
                new ValueStateDescriptor<>("series-registered-day", Types.LONG);
        descriptor.enableTimeToLive(
                org.apache.flink.api.common.state.StateTtlConfig.newBuilder(
                                java.time.Duration.ofDays(2))
                        .build());
        return descriptor;
    }

    /**
     * Samples of a series not yet aggregated or written: timestamp (ms) to value, so a duplicate
     * timestamp is stored once (the value that arrived last). One small entry per sample: adding a
     * sample is a single write, whatever the state backend, instead of a read and a rewrite of a
     * whole aggregate. Used by the rollup and by the raw chunks, each in its own operator.
     */
    public static final MapStateDescriptor<Long, Double> BUFFERED_SAMPLES =
            new MapStateDescriptor<>("buffered-samples", Types.LONG, Types.DOUBLE);

    /** Metric name and labels of a series with buffered samples. */
    public static final ValueStateDescriptor<SeriesIdentity> BUFFERED_SERIES =
            new ValueStateDescriptor<>("buffered-series", SeriesIdentity.TYPE);

    /**
     * Start (ms) of the newest interval of a series with a timer registered, so that a sample needs
     * no timer registration unless it opens another interval.
     */
    public static final ValueStateDescriptor<Long> BUFFERED_TIMER_INTERVAL =
            new ValueStateDescriptor<>("buffered-timer-interval", Types.LONG);

    /**
     * Series admitted under a metric's cardinality limit, per (metric, shard): series id to the
     * start (ms) of the expiry step of its latest sample. Emptied as series fall silent.
     */
    public static final MapStateDescriptor<Long, Long> ADMITTED_SERIES =
            new MapStateDescriptor<>("admitted-series", Types.LONG, Types.LONG);

    /** How many series {@link #ADMITTED_SERIES} holds; a map in RocksDB does not know its size. */
    public static final ValueStateDescriptor<Integer> ADMITTED_SERIES_COUNT =
            new ValueStateDescriptor<>("admitted-series-count", Types.INT);

    /**
     * What the host inventory last wrote of a host (the key): its place, first and last seen. Kept
     * until the host's rows in Cassandra have expired.
     */
    public static final ValueStateDescriptor<HostRow> HOST =
            new ValueStateDescriptor<>("host", HostRow.class);

    /** Rows of {@code hosts_by_place} that a moved host left: to be deleted. */
    public static final OutputTag<HostRow> VACATED_PLACES =
            new OutputTag<>("vacated-places", TypeInformation.of(HostRow.class));

    private Descriptors() {}
}
