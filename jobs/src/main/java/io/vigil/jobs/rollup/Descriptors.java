package io.vigil.jobs.rollup;

import io.vigil.jobs.rollup.records.GroupRollup;
import io.vigil.jobs.rollup.records.HostRow;
import io.vigil.jobs.rollup.records.RawSampleBuffer;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.RollupAccumulator;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.util.OutputTag;

/** State descriptors of the metrics-rollup job, in one place because savepoints depend on them. */
public final class Descriptors {
    /** Open windows of a series: window start (ms) to its running aggregate. */
    public static final MapStateDescriptor<Long, RollupAccumulator> OPEN_WINDOWS =
            new MapStateDescriptor<>("open-windows", Types.LONG, RollupAccumulator.TYPE);

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
     * Open raw chunk intervals of a series: interval start (ms) to its buffered samples, sorted and
     * unique by timestamp. An entry is removed when its interval is written.
     */
    public static final MapStateDescriptor<Long, RawSampleBuffer> OPEN_RAW_CHUNKS =
            new MapStateDescriptor<>("open-raw-chunks", Types.LONG, RawSampleBuffer.TYPE);

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
