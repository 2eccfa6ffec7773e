package io.vigil.jobs.rollup.functions;

import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.Rollup;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Merges the rollups of one series (the key) into a coarser tumbling window, for example the
 * minutes of an hour, and emits the merged rollup when the watermark passes the window's end.
 *
 * <p>Cascading merges, it never recomputes: counts and sums add, min and max combine, the last
 * value is the one with the latest event time, sketches merge (so the quantiles keep their 1 %
 * error), and counter increases add up (each finer increase already bridges from the value before
 * it, so their sum is the increase over the whole window).
 *
 * <p>A finer rollup is emitted when the watermark passes its end, before that watermark travels on;
 * so every finer rollup of a coarse window arrives before the coarse window fires, and none is ever
 * late here.
 */
public final class CascadeRollupFunction extends KeyedProcessFunction<Long, Rollup, Rollup> {
    private static final long serialVersionUID = 1L;

    private final long windowMillis;

    private transient MapState<Long, Rollup> openWindows;

    /**
     * @param window length of the coarse windows; a whole multiple of the finer windows
     */
    public CascadeRollupFunction(Duration window) {
        if (window.toMillis() <= 0) {
            throw new IllegalArgumentException("window must be at least 1 ms, was " + window);
        }
        this.windowMillis = window.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        openWindows = getRuntimeContext().getMapState(Descriptors.OPEN_CASCADED_WINDOWS);
    }

    @Override
    public void processElement(Rollup finer, Context ctx, Collector<Rollup> out) throws Exception {
        long start = Math.floorDiv(finer.windowStart, windowMillis) * windowMillis;
        Rollup merged = openWindows.get(start);
        if (merged == null) {
            ctx.timerService().registerEventTimeTimer(start + windowMillis - 1);
            openWindows.put(start, startWith(finer, start));
            return;
        }
        merged.count += finer.count;
        merged.sum += finer.sum;
        merged.min = Math.min(merged.min, finer.min);
        merged.max = Math.max(merged.max, finer.max);
        if (finer.lastTimestamp >= merged.lastTimestamp) {
            merged.last = finer.last;
            merged.lastTimestamp = finer.lastTimestamp;
        }
        merged.sketch = QuantileSketches.merge(merged.sketch, finer.sketch);
        if (finer.isCounter()) {
            merged.increase = (merged.isCounter() ? merged.increase : 0) + finer.increase;
        }
        openWindows.put(start, merged);
    }

    private static Rollup startWith(Rollup finer, long start) {
        Rollup merged =
                new Rollup(
                        finer.seriesId,
                        finer.metric,
                        finer.labels,
                        start,
                        finer.count,
                        finer.sum,
                        finer.min,
                        finer.max,
                        finer.last);
        merged.lastTimestamp = finer.lastTimestamp;
        merged.sketch = finer.sketch;
        merged.increase = finer.increase;
        return merged;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rollup> out)
            throws Exception {
        long start = timestamp + 1 - windowMillis;
        Rollup merged = openWindows.get(start);
        if (merged == null) {
            return;
        }
        double[] quantiles = QuantileSketches.quantiles(merged.sketch, 0.5, 0.9, 0.99);
        merged.p50 = quantiles[0];
        merged.p90 = quantiles[1];
        merged.p99 = quantiles[2];
        if (merged.isCounter()) {
            merged.rate = merged.increase / (windowMillis / 1000.0);
        }
        out.collect(merged);
        openWindows.remove(start);
    }
}
