package io.vigil.jobs.rollup.functions;

import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.Rollup;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Registers each series (the key) in the series tables once per UTC day it reports, so that
 * analysts find series by metric and label, and the registry's TTL forgets series that stopped.
 *
 * <p>Fed by the minute rollups, not the samples: one registry check per series and minute instead
 * of per sample. The state is the day last registered, with a state TTL of two days so a series
 * that goes away leaves nothing behind.
 */
public final class SeriesRegistryFunction extends KeyedProcessFunction<Long, Rollup, Rollup> {
    private static final long serialVersionUID = 1L;
    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

    private transient ValueState<Long> registeredDay;

    @Override
    public void open(OpenContext openContext) {
        registeredDay = getRuntimeContext().getState(Descriptors.seriesRegisteredDay());
    }

    @Override
    public void processElement(Rollup rollup, Context ctx, Collector<Rollup> out) throws Exception {
        long day = Math.floorDiv(rollup.windowStart, DAY_MILLIS);
        Long registered = registeredDay.value();
        if (registered != null && registered >= day) {
            return;
        }
        registeredDay.update(day);
        out.collect(rollup);
    }
}
