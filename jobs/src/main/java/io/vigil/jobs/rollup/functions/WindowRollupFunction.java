package io.vigil.jobs.rollup.functions;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.RawChunk;
import io.vigil.jobs.rollup.records.RawSampleBuffer;
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
import org.apache.flink.util.OutputTag;

/**
 * Everything per series (the key: its series id) that needs its raw samples: it aggregates them
 * into tumbling event-time windows and emits one {@link Rollup} per window when the watermark
 * passes its end (count, sum, min, max, last, a quantile sketch with p50/p90/p99, and for counters
 * ({@link Counters}) the increase and per-second rate, resets accounted for and bridged from the
 * previous window's last value); and it compresses them into {@link RawChunk}s, the rows of {@code
 * samples_raw}, on the side output {@link #RAW_CHUNKS}: at most {@value #MAX_SAMPLES_PER_CHUNK}
 * samples a chunk, and never more than one chunk interval ({@link #CHUNK_LENGTH}) of event time.
 *
 * <p>One operator for both, because both need the same samples: each sample crosses the network
 * once and is stored once ({@link BufferedSamples}: one small state entry per sample, a duplicate
 * timestamp kept once). A window's aggregate is computed when it closes, from its samples in time
 * order, so it is the same whatever order they arrived in; its samples stay until their chunk
 * interval closes too, and then leave state as a chunk. Several windows of a series can be open at
 * once while the watermark lags behind out-of-order samples.
 *
 * <p>Chunk intervals are aligned to event time ({@code floor(ts / 2 min) * 2 min}) and written when
 * the watermark passes their end, not the moment they hold {@value #MAX_SAMPLES_PER_CHUNK} samples:
 * a sample arriving out of order afterwards would otherwise start a chunk overlapping the written
 * one or be lost, and the chunks would depend on arrival order. So every row is a function of the
 * interval's samples alone, and a replay after a failure writes the same keys and bytes, which the
 * sink's upserts overwrite. An interval of more than {@value #MAX_SAMPLES_PER_CHUNK} samples is
 * split in time order ({@link RawSampleBuffer#toChunks}).
 *
 * <p>A sample is late when its window has already been emitted (its end is at or below the
 * watermark). It is counted in {@code lateSamples} and sent to the dead letters once, with reason
 * {@code late}: rewriting an emitted row with a partial aggregate would be worse than keeping the
 * sample aside, and keeping it in the raw chunk only would make the two disagree.
 */
public final class WindowRollupFunction extends KeyedProcessFunction<Long, MetricSample, Rollup> {
    private static final long serialVersionUID = 1L;

    /** The raw samples, compressed: the rows of {@code samples_raw}. */
    public static final OutputTag<RawChunk> RAW_CHUNKS =
            new OutputTag<>("raw-chunks", RawChunk.TYPE);

    /**
     * Length of a chunk interval (when the window divides it; otherwise a chunk spans one window).
     * It divides a day, so a chunk never straddles two {@code (series, day)} partitions; at the
     * usual 1 s to 60 s scrape intervals it holds 2 to 120 samples.
     */
    public static final Duration CHUNK_LENGTH = Duration.ofMinutes(2);

    /**
     * Most samples in one chunk, as Prometheus' TSDB cuts its XOR chunks: beyond about 120 samples
     * Gorilla compression gains little, while a reader must decode a whole chunk for any sample.
     */
    public static final int MAX_SAMPLES_PER_CHUNK = 120;

    private final long windowMillis;
    private final long chunkMillis;
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
        this.chunkMillis =
                CHUNK_LENGTH.toMillis() % windowMillis == 0
                        ? CHUNK_LENGTH.toMillis()
                        : windowMillis;
        // Whole windows, so that cleanup timers fall on window ends like every other timer.
        long windows = Math.max(1, (counterMemory.toMillis() + windowMillis - 1) / windowMillis);
        this.counterMemoryMillis = windows * windowMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        buffered = new BufferedSamples(getRuntimeContext(), windowMillis, chunkMillis);
        lastCounterSample = getRuntimeContext().getState(Descriptors.LAST_COUNTER_SAMPLE);
        lateSamples = getRuntimeContext().getMetricGroup().counter("lateSamples");
    }

    @Override
    public void processElement(MetricSample sample, Context ctx, Collector<Rollup> out)
            throws Exception {
        long start = buffered.windowStart(sample.getTimestamp());
        long watermark = ctx.timerService().currentWatermark();
        if (LateSamples.isLate(start + windowMillis - 1, watermark)) {
            lateSamples.inc();
            ctx.output(DeadLetters.TAG, late.deadLetter(sample, start, windowMillis, watermark));
            return;
        }
        buffered.add(sample, ctx.timerService());
    }

    /**
     * Every timer falls on the last millisecond of a window: it writes that window if it has
     * samples, the chunks of the interval ending there if one does, and frees the counter baseline
     * if the counter has been silent for the counter memory.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rollup> out)
            throws Exception {
        long end = timestamp + 1;
        BufferedSamples.Interval window = buffered.window(end - windowMillis);
        if (window != null) {
            out.collect(rollUp(window, end - windowMillis, ctx));
        }
        if (end % chunkMillis == 0) {
            for (Map.Entry<Long, BufferedSamples.Interval> closed :
                    buffered.drainChunksEndingBy(end).entrySet()) {
                for (RawChunk chunk : chunks(closed.getValue(), closed.getKey(), ctx)) {
                    ctx.output(RAW_CHUNKS, chunk);
                }
            }
        }
        Tuple2<Long, Double> baseline = lastCounterSample.value();
        if (baseline != null && baseline.f0 <= timestamp - counterMemoryMillis) {
            lastCounterSample.clear();
        }
    }

    private Rollup rollUp(BufferedSamples.Interval samples, long start, OnTimerContext ctx)
            throws Exception {
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
        Rollup rollup = window.toRollup(ctx.getCurrentKey(), start);
        if (window.isCounter()) {
            addIncrease(window, rollup);
            ctx.timerService()
                    .registerEventTimeTimer(start + windowMillis - 1 + counterMemoryMillis);
        }
        return rollup;
    }

    private static java.util.List<RawChunk> chunks(
            BufferedSamples.Interval samples, long start, OnTimerContext ctx) {
        RawSampleBuffer buffer = new RawSampleBuffer();
        for (int i = 0; i < samples.size(); i++) {
            buffer.add(
                    samples.series().metric,
                    samples.series().labels,
                    samples.timestamps()[i],
                    samples.values()[i]);
        }
        return buffer.toChunks(ctx.getCurrentKey(), start, MAX_SAMPLES_PER_CHUNK);
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
