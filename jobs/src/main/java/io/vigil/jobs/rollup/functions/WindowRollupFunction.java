package io.vigil.jobs.rollup.functions;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.RollupAccumulator;
import io.vigil.schemas.MetricSample;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
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
 * <p>Written as a process function rather than with the window API so that its state is the
 * window's samples ({@link BufferedSamples}: one small entry per sample, a duplicate timestamp kept
 * once) and one timer per open window, all removed when the window fires, and so that a late sample
 * leaves with a precise reason. The aggregate is computed when the window closes, from its samples
 * in time order, so it is the same whatever order they arrived in. Several windows of a series can
 * be open at once while the watermark lags behind out-of-order samples.
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

    private transient BufferedSamples buffered;
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
        buffered = new BufferedSamples(getRuntimeContext(), windowMillis);
        lastCounterSample = getRuntimeContext().getState(Descriptors.LAST_COUNTER_SAMPLE);
        lateSamples = getRuntimeContext().getMetricGroup().counter("lateSamples");
    }

    @Override
    public void processElement(MetricSample sample, Context ctx, Collector<Rollup> out)
            throws Exception {
        long start = buffered.intervalStart(sample.getTimestamp());
        long watermark = ctx.timerService().currentWatermark();
        if (LateSamples.isLate(start + windowMillis - 1, watermark)) {
            lateSamples.inc();
            ctx.output(DeadLetters.TAG, late.deadLetter(sample, start, windowMillis, watermark));
            return;
        }
        buffered.add(sample, ctx.timerService());
    }

    /**
     * Every timer falls on the last millisecond of a window: it writes that window if it is open,
     * and frees the counter baseline if the counter has been silent for the counter memory.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rollup> out)
            throws Exception {
        for (Map.Entry<Long, BufferedSamples.Interval> closed :
                buffered.drainEndingBy(timestamp + 1).entrySet()) {
            BufferedSamples.Interval samples = closed.getValue();
            boolean counter = Counters.isCounter(samples.series().metric);
            RollupAccumulator window = new RollupAccumulator();
            for (int i = 0; i < samples.size(); i++) {
                window.add(
                        samples.series().metric,
                        samples.series().labels,
                        samples.values()[i],
                        samples.timestamps()[i],
                        counter);
            }
            Rollup rollup = window.toRollup(ctx.getCurrentKey(), closed.getKey());
            if (window.isCounter()) {
                addIncrease(window, rollup);
                ctx.timerService()
                        .registerEventTimeTimer(
                                closed.getKey() + windowMillis - 1 + counterMemoryMillis);
            }
            out.collect(rollup);
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
