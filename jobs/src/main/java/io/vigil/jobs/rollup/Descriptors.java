package io.vigil.jobs.rollup;

import io.vigil.jobs.rollup.records.GroupRollup;
import io.vigil.jobs.rollup.records.HostRow;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.SeriesBuffer;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.OutputTag;

/** State descriptors of the metrics-rollup job, in one place because savepoints depend on them. */
public final class Descriptors {
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
     * The series of an origin (the key) with samples not yet written or a counter baseline: series
     * id to its buffer. One map per origin, so that a batch meets all its series' state at once.
     */
    public static final MapStateDescriptor<Long, SeriesBuffer> ORIGIN_SERIES =
            new MapStateDescriptor<>("origin-series", Types.LONG, SeriesBuffer.TYPE);

    /**
     * How many series {@link #ORIGIN_SERIES} holds, for the per-origin limit; a map state does not
     * know its size without a walk.
     */
    public static final ValueStateDescriptor<Integer> ORIGIN_SERIES_COUNT =
            new ValueStateDescriptor<>("origin-series-count", Types.INT);

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
