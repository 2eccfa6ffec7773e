package io.vigil.jobs.rollup.functions;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.RollupAccumulator;
import io.vigil.schemas.MetricSample;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Aggregates the samples of one series (the key: its series id) into tumbling event-time windows
 * and emits one {@link Rollup} per window when the watermark passes its end: count, sum, min, max,
 * last, a quantile sketch with p50/p90/p99, and for counters ({@link Counters}) the increase and
 * per-second rate, resets accounted for and bridged from the previous window's last value.
 *
 * <p>Written as a process function rather than with the window API so that its state is exactly one
 * map entry per open window and one timer per open window, both removed when the window fires, and
 * so that a late sample leaves with a precise reason. Several windows of a series can be open at
 * once while the watermark lags behind out-of-order samples.
 *
 * <p>A sample is late when its window has already been emitted (its end is at or below the
 * watermark). It is counted in {@code lateSamples} and sent to the dead letters with reason {@code
 * late}: rewriting an emitted row with a partial aggregate would be worse than keeping the sample
 * aside.
 */
public final class WindowRollupFunction extends KeyedProcessFunction<Long, MetricSample, Rollup> {
    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private final long counterMemoryMillis;
    private final LateSamples late = new LateSamples("window");

    private transient MapState<Long, RollupAccumulator> openWindows;
    private transient ValueState<Tuple2<Long, Double>> lastCounterSample;
    private transient Counter lateSamples;

    /**
     * @param window length of the tumbling windows, for example one minute
     * @param counterMemory how long a counter's last value stays the baseline of its next window; a
     *     counter silent for longer starts afresh (its state is freed); rounded up to whole windows
     */
    public WindowRollupFunction(Duration window, Duration counterMemory) {
        if (window.toMillis() <= 0) {
            throw new IllegalArgumentException("window must be at least 1 ms, was " + window);
        }
        this.windowMillis = window.toMillis();
        // Whole windows, so that cleanup timers fall on window ends like every other timer.
        long windows = Math.max(1, (counterMemory.toMillis() + windowMillis - 1) / windowMillis);
        this.counterMemoryMillis = windows * windowMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        openWindows = getRuntimeContext().getMapState(Descriptors.OPEN_WINDOWS);
        lastCounterSample = getRuntimeContext().getState(Descriptors.LAST_COUNTER_SAMPLE);
        lateSamples = getRuntimeContext().getMetricGroup().counter("lateSamples");
    }

    @Override
    public void processElement(MetricSample sample, Context ctx, Collector<Rollup> out)
            throws Exception {
        long start = Math.floorDiv(sample.getTimestamp(), windowMillis) * windowMillis;
        long lastMillisOfWindow = start + windowMillis - 1;
        long watermark = ctx.timerService().currentWatermark();
        if (LateSamples.isLate(lastMillisOfWindow, watermark)) {
            lateSamples.inc();
            ctx.output(DeadLetters.TAG, late.deadLetter(sample, start, windowMillis, watermark));
            return;
        }
        RollupAccumulator window = openWindows.get(start);
        if (window == null) {
            window = new RollupAccumulator();
            ctx.timerService().registerEventTimeTimer(lastMillisOfWindow);
        }
        window.add(
                sample.getName(),
                sample.getLabels(),
                sample.getValue(),
                sample.getTimestamp(),
                Counters.isCounter(sample.getName()));
        openWindows.put(start, window);
    }

    /**
     * Every timer falls on the last millisecond of a window: it writes that window if it is open,
     * and frees the counter baseline if the counter has been silent for the counter memory.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rollup> out)
            throws Exception {
        long start = timestamp + 1 - windowMillis;
        RollupAccumulator window = openWindows.get(start);
        if (window != null) {
            Rollup rollup = window.toRollup(ctx.getCurrentKey(), start);
            if (window.isCounter()) {
                addIncrease(window, rollup);
                ctx.timerService().registerEventTimeTimer(timestamp + counterMemoryMillis);
            }
            out.collect(rollup);
            openWindows.remove(start);
        }
        Tuple2<Long, Double> baseline = lastCounterSample.value();
        if (baseline != null && baseline.f0 <= timestamp - counterMemoryMillis) {
            lastCounterSample.clear();
        }
    }

    private void addIncrease(RollupAccumulator window, Rollup rollup) throws Exception {
        Tuple2<Long, Double> baseline = lastCounterSample.value();
        rollup.increase =
                Counters.increase(
                        baseline == null ? Double.NaN : baseline.f1,
                        window.counterTimestamps,
                        window.counterValues);
        rollup.rate = rollup.increase / (windowMillis / 1000.0);
        int latest = Counters.latest(window.counterTimestamps);
        lastCounterSample.update(
                Tuple2.of(window.counterTimestamps[latest], window.counterValues[latest]));
    }
}
