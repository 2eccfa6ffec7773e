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
 * <p>A finer rollup is emitted when the watermark passes its end plus its origin's close offset
 * (less than {@code closeDelay}), before that watermark travels on; the coarse window fires only
 * once the watermark passes its end plus {@code closeDelay}, so every finer rollup of it has
 * arrived by then, and none is ever late here.
 */
public final class CascadeRollupFunction extends KeyedProcessFunction<Long, Rollup, Rollup> {
    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private final long closeDelayMillis;

    private transient MapState<Long, Rollup> openWindows;

    /**
     * @param window length of the coarse windows; a whole multiple of the finer windows
     * @param closeDelay how long after a window's end (event time) the finer rollups may still
     *     come: the rollup's close spread; shorter than the window
     */
    public CascadeRollupFunction(Duration window, Duration closeDelay) {
        if (window.toMillis() <= 0) {
            throw new IllegalArgumentException("window must be at least 1 ms, was " + window);
        }
        if (closeDelay.isNegative() || closeDelay.toMillis() >= window.toMillis()) {
            throw new IllegalArgumentException(
                    String.format(
                            "the close delay must be at least 0 and shorter than the window (%s),"
                                    + " was %s",
                            window, closeDelay));
        }
        this.windowMillis = window.toMillis();
        this.closeDelayMillis = closeDelay.toMillis();
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
            ctx.timerService().registerEventTimeTimer(start + windowMillis - 1 + closeDelayMillis);
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
        // Rounded down rather than the delay subtracted, so that timers of a savepoint taken with
        // another delay still find their window (the delay is shorter than a window).
        long start = Math.floorDiv(timestamp + 1, windowMillis) * windowMillis - windowMillis;
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
