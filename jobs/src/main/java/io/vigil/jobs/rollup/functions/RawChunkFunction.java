package io.vigil.jobs.rollup.functions;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.rollup.records.RawChunk;
import io.vigil.jobs.rollup.records.RawSampleBuffer;
import io.vigil.schemas.MetricSample;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Compresses the raw samples of one series (the key: its series id) into {@link RawChunk}s, the
 * rows of {@code samples_raw}: at most {@value #MAX_SAMPLES_PER_CHUNK} samples a chunk, and never
 * more than one {@link #CHUNK_LENGTH} interval of event time, whichever comes first.
 *
 * <p>Chunk intervals are aligned to event time: a sample at {@code ts} belongs to the interval
 * starting at {@code floor(ts / 2 min) * 2 min}, whatever else the series sent and in whatever
 * order. Samples wait in keyed state, one map entry per timestamp (so a duplicate timestamp is kept
 * once, with the value that arrived last), and an interval is written when the watermark passes its
 * end, by an event-time timer on its last millisecond: its samples are sorted, encoded ({@link
 * RawSampleBuffer}) and removed. An interval with more than {@value #MAX_SAMPLES_PER_CHUNK} samples
 * is split in time order ({@link RawSampleBuffer#toChunks}).
 *
 * <p>Why one entry per sample rather than one buffer per interval: with RocksDB every state access
 * (de)serialises the value, so appending to a buffer costs a read and a write of everything
 * buffered so far (quadratic in the interval's samples, and the series' labels with every sample),
 * while a map entry costs one small write. The series' name and labels are written once per
 * interval, with the timer.
 *
 * <p>Why not cut a chunk the moment it holds {@value #MAX_SAMPLES_PER_CHUNK} samples: a sample that
 * arrives out of order afterwards would then either start a chunk overlapping the written one or be
 * lost, and which samples made up the first chunk would depend on arrival order. Waiting for the
 * watermark makes every row a function of the interval's samples alone, so its key ({@code
 * series_id, day, chunk_start}) and content are the same on every replay after a failure, and the
 * sink's upserts overwrite instead of adding. The price is state: an interval's samples stay
 * buffered until the watermark passes its end.
 *
 * <p>A sample is late when its interval was already written. It is counted in {@code lateSamples}
 * and sent to the dead letters with reason {@code late}, as the rollup does ({@link LateSamples}):
 * rewriting a chunk from partial state would lose the samples already written.
 */
public final class RawChunkFunction extends KeyedProcessFunction<Long, MetricSample, RawChunk> {
    private static final long serialVersionUID = 1L;

    /**
     * Length of a chunk interval. It divides a day, so a chunk never straddles two {@code (series,
     * day)} partitions; at the usual 1 s to 60 s scrape intervals it holds 2 to 120 samples.
     */
    public static final Duration CHUNK_LENGTH = Duration.ofMinutes(2);

    /**
     * Most samples in one chunk, as Prometheus' TSDB cuts its XOR chunks: beyond about 120 samples
     * Gorilla compression gains little, while a reader must decode a whole chunk for any sample.
     */
    public static final int MAX_SAMPLES_PER_CHUNK = 120;

    private static final long CHUNK_MILLIS = CHUNK_LENGTH.toMillis();

    private final LateSamples late = new LateSamples("raw chunk");

    private transient BufferedSamples buffered;
    private transient Counter lateSamples;

    @Override
    public void open(OpenContext openContext) {
        buffered = new BufferedSamples(getRuntimeContext(), CHUNK_MILLIS);
        lateSamples = getRuntimeContext().getMetricGroup().counter("lateSamples");
    }

    @Override
    public void processElement(MetricSample sample, Context ctx, Collector<RawChunk> out)
            throws Exception {
        long start = buffered.intervalStart(sample.getTimestamp());
        long watermark = ctx.timerService().currentWatermark();
        if (LateSamples.isLate(start + CHUNK_MILLIS - 1, watermark)) {
            lateSamples.inc();
            ctx.output(DeadLetters.TAG, late.deadLetter(sample, start, CHUNK_MILLIS, watermark));
            return;
        }
        buffered.add(sample, ctx.timerService());
    }

    /** Every timer falls on the last millisecond of an interval: it writes that interval. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RawChunk> out)
            throws Exception {
        for (Map.Entry<Long, BufferedSamples.Interval> closed :
                buffered.drainEndingBy(timestamp + 1).entrySet()) {
            BufferedSamples.Interval interval = closed.getValue();
            RawSampleBuffer buffer = new RawSampleBuffer();
            for (int i = 0; i < interval.size(); i++) {
                buffer.add(
                        interval.series().metric,
                        interval.series().labels,
                        interval.timestamps()[i],
                        interval.values()[i]);
            }
            for (RawChunk chunk :
                    buffer.toChunks(ctx.getCurrentKey(), closed.getKey(), MAX_SAMPLES_PER_CHUNK)) {
                out.collect(chunk);
            }
        }
    }
}
