package io.vigil.jobs.rollup;

import io.vigil.jobs.rollup.records.RollupAccumulator;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/** State descriptors of the metrics-rollup job, in one place because savepoints depend on them. */
public final class Descriptors {
    /** Open windows of a series: window start (ms) to its running aggregate. */
    public static final MapStateDescriptor<Long, RollupAccumulator> OPEN_WINDOWS =
            new MapStateDescriptor<>("open-windows", Types.LONG, RollupAccumulator.TYPE);

    private Descriptors() {}
}
