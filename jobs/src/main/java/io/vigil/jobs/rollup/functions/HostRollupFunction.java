package io.vigil.jobs.rollup.functions;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.validation.ValidateBatches;
import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.RawChunk;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.RollupAccumulator;
import io.vigil.jobs.rollup.records.SeriesBuffer;
import io.vigil.schemas.BatchSample;
import io.vigil.schemas.Labels;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Everything per series that needs its raw samples, for all the series of one origin (the key: a
 * host, {@link MetricBatches#originId}) at once: it aggregates each series' samples into tumbling
 * event-time windows and emits one {@link Rollup} per series and window when the window closes
 * (count, sum, min, max, last, a quantile sketch with p50/p90/p99, and for counters ({@link
 * Counters}) the increase and per-second rate, resets accounted for and bridged from the previous
 * window's last value); and it compresses them into {@link RawChunk}s, the rows of {@code
 * samples_raw}, on the side output {@link #RAW_CHUNKS}: at most {@value #MAX_SAMPLES_PER_CHUNK}
 * samples a chunk, never more than one chunk interval ({@link #CHUNK_LENGTH}) of event time.
 *
 * <p><b>Why keyed by origin.</b> A collector reads a host's series together and sends them as one
 * {@link MetricBatch}; keyed by origin, the batch crosses the network once and its samples meet
 * their state in one place, instead of every sample being shuffled to its series. The series of an
 * origin are one map in keyed state ({@link Descriptors#ORIGIN_SERIES}, a {@link SeriesBuffer}
 * each), the windows of an origin close on one timer, and a closing window walks the origin's
 * series in memory. This is meant for the heap state backend, where a state access is a hash
 * lookup; see the design decisions for the measurement behind that choice.
 *
 * <p><b>Series per origin.</b> An origin may have at most {@code maxSeriesPerOrigin} series in
 * state at once. The samples of further series go to the dead letters with reason {@code
 * cardinality-limit} and are counted ({@code rejectedSamples.cardinality-limit}), so a runaway
 * exporter (a label with a request id in it) cannot exhaust the job's memory or flood Cassandra. A
 * series gives its place back when it leaves state: nothing buffered and no counter baseline.
 *
 * <p><b>Closes spread over time.</b> Windows end at the same instant for every series, but each
 * origin closes them {@link #closeOffset} later, a fixed delay between 0 and {@code closeSpread}
 * derived from its key, so that twenty thousand series do not all write their rows in the same
 * second. A sample is late when its origin has already closed its window: it is counted in {@code
 * lateSamples} and sent to the dead letters once, with reason {@code late}; rewriting an emitted
 * row with a partial aggregate would be worse than keeping the sample aside.
 *
 * <p><b>Rows are functions of the samples.</b> A window's aggregate and an interval's chunks are
 * computed when they close from their samples sorted by time, one per timestamp (the last to
 * arrive), so a replay after a failure writes the same keys and bytes, which the sink's upserts
 * overwrite. Chunk intervals are aligned to event time and written when they close, not when full,
 * so a sample arriving out of order cannot start a chunk overlapping a written one.
 */
public final class HostRollupFunction extends KeyedProcessFunction<Long, MetricBatch, Rollup> {
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

    /** Reason code of the samples of series beyond an origin's limit. */
    public static final String CARDINALITY_LIMIT = "cardinality-limit";

    private final long windowMillis;
    private final long chunkMillis;
    private final long counterMemoryMillis;
    private final long closeSpreadMillis;
    private final int maxSeriesPerOrigin;
    private final LateSamples late = new LateSamples("window");

    private transient MapState<Long, SeriesBuffer> series;
    private transient ValueState<Integer> seriesCount;
    private transient Counter samplesIn;
    private transient Counter lateSamples;
    private transient Counter overLimit;

    /**
     * @param window length of the tumbling windows, for example one minute
     * @param counterMemory how long a counter's last value stays the baseline of its next window; a
     *     counter silent for longer starts afresh (its state is freed); rounded up to whole windows
     * @param closeSpread the longest delay of an origin's window closes after the window's end
     *     (event time); shorter than the window
     * @param maxSeriesPerOrigin most series one origin may have in state
     */
    public HostRollupFunction(
            Duration window, Duration counterMemory, Duration closeSpread, int maxSeriesPerOrigin) {
        if (window.toMillis() <= 0) {
            throw new IllegalArgumentException("window must be at least 1 ms, was " + window);
        }
        if (closeSpread.isNegative() || closeSpread.toMillis() >= window.toMillis()) {
            throw new IllegalArgumentException(
                    String.format(
                            "the close spread must be at least 0 and shorter than the window (%s),"
                                    + " was %s",
                            window, closeSpread));
        }
        if (maxSeriesPerOrigin < 1) {
            throw new IllegalArgumentException(
                    "at least one series per origin must be allowed, was " + maxSeriesPerOrigin);
        }
        this.windowMillis = window.toMillis();
        this.chunkMillis =
                CHUNK_LENGTH.toMillis() % windowMillis == 0
                        ? CHUNK_LENGTH.toMillis()
                        : windowMillis;
        // Whole windows, so that cleanup timers fall on window closes like every other timer.
        long windows = Math.max(1, (counterMemory.toMillis() + windowMillis - 1) / windowMillis);
        this.counterMemoryMillis = windows * windowMillis;
        this.closeSpreadMillis = closeSpread.toMillis();
        this.maxSeriesPerOrigin = maxSeriesPerOrigin;
    }

    @Override
    public void open(OpenContext openContext) {
        series = getRuntimeContext().getMapState(Descriptors.ORIGIN_SERIES);
        seriesCount = getRuntimeContext().getState(Descriptors.ORIGIN_SERIES_COUNT);
        // Flink counts records, and a record is a batch here; operators want samples.
        samplesIn = getRuntimeContext().getMetricGroup().counter("samplesIn");
        lateSamples = getRuntimeContext().getMetricGroup().counter("lateSamples");
        overLimit =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(ValidateBatches.METRIC_GROUP)
                        .counter(CARDINALITY_LIMIT);
    }

    /**
     * How long after a window's end this origin closes it: the same for every window of the origin,
     * spread evenly over origins. A function of the key alone, so it survives restarts and
     * rescaling.
     */
    long closeOffset(long origin) {
        if (closeSpreadMillis == 0) {
            return 0;
        }
        // The key is already a well-mixed hash (SplitMix64-finalised FNV).
        return Math.floorMod(origin, closeSpreadMillis);
    }

    @Override
    public void processElement(MetricBatch batch, Context ctx, Collector<Rollup> out)
            throws Exception {
        long offset = closeOffset(ctx.getCurrentKey());
        long watermark = ctx.timerService().currentWatermark();
        long[] ids = MetricBatches.seriesIds(batch);
        samplesIn.inc(ids.length);
        List<BatchSample> samples = batch.getSamples();
        Integer stored = seriesCount.value();
        int count = stored == null ? 0 : stored;
        long timersFor = Long.MIN_VALUE;
        for (int i = 0; i < ids.length; i++) {
            long timestamp = MetricBatches.timestamp(batch, i);
            long start = Math.floorDiv(timestamp, windowMillis) * windowMillis;
            if (LateSamples.isLate(start + windowMillis - 1 + offset, watermark)) {
                lateSamples.inc();
                ctx.output(
                        DeadLetters.TAG, late.deadLetter(batch, i, start, windowMillis, watermark));
                continue;
            }
            BatchSample sample = samples.get(i);
            SeriesBuffer buffer = series.get(ids[i]);
            if (buffer == null) {
                if (count >= maxSeriesPerOrigin) {
                    overLimit.inc();
                    ctx.output(DeadLetters.TAG, overLimitDeadLetter(batch, i));
                    continue;
                }
                buffer = new SeriesBuffer(sample.getName(), MetricBatches.labels(batch, i));
                count++;
            }
            buffer.add(timestamp, sample.getValue());
            series.put(ids[i], buffer);
            if (start != timersFor) {
                // Timers are deduplicated per key and time; a batch usually falls in one window,
                // so this registers once per batch. A chunk's end is also a window's end: then the
                // two are one timer.
                ctx.timerService().registerEventTimeTimer(start + windowMillis - 1 + offset);
                long chunkStart = Math.floorDiv(start, chunkMillis) * chunkMillis;
                ctx.timerService().registerEventTimeTimer(chunkStart + chunkMillis - 1 + offset);
                timersFor = start;
            }
        }
        // Never a count of zero: an origin without state whose batch was all late admitted no
        // series, and a zero written here would stay forever, as no timer of it would clear it.
        if (count > 0 && (stored == null || count != stored)) {
            seriesCount.update(count);
        }
    }

    private io.vigil.schemas.DeadLetter overLimitDeadLetter(MetricBatch batch, int i) {
        String host = batch.getLabels().get(Labels.HOST);
        String origin = host != null ? "host " + host : "origin " + batch.getLabels();
        String reason =
                String.format(
                        "%s: %s has %d series in the rollup's state, at most %d are allowed; the"
                                + " new series %s is not admitted",
                        CARDINALITY_LIMIT,
                        origin,
                        maxSeriesPerOrigin,
                        maxSeriesPerOrigin,
                        batch.getSamples().get(i).getName());
        return DeadLetters.ofSample(batch, i, reason, System.currentTimeMillis());
    }

    /**
     * Every timer falls on a window close of this origin: it writes that window of every series
     * that has samples in it, the chunks of the interval ending there if one does, frees the
     * counter baselines that are older than the counter memory, and lets series with nothing left
     * leave state.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rollup> out)
            throws Exception {
        // The window end the timer was registered for, from the timer alone: the offset is
        // shorter than a window, so rounding down finds it. Not timestamp + 1 - closeOffset: a
        // restore with another close spread keeps the timers of the old offsets, which would
        // then close no window (its samples never written, its series never leaving state).
        long end = Math.floorDiv(timestamp + 1, windowMillis) * windowMillis;
        long start = end - windowMillis;
        boolean chunkEnd = end % chunkMillis == 0;
        List<Long> emptied = new ArrayList<>();
        List<Map.Entry<Long, SeriesBuffer>> changed = new ArrayList<>();
        for (Map.Entry<Long, SeriesBuffer> entry : series.entries()) {
            long id = entry.getKey();
            SeriesBuffer buffer = entry.getValue();
            boolean modified = false;
            SeriesBuffer.Interval window = buffer.between(start, end);
            if (window != null) {
                Rollup rollup = rollUp(id, buffer, window, start);
                out.collect(rollup);
                if (rollup.isCounter()) {
                    modified = true;
                    ctx.timerService().registerEventTimeTimer(timestamp + counterMemoryMillis);
                }
            }
            if (chunkEnd && buffer.size > 0) {
                Map<Long, SeriesBuffer.Interval> closed = buffer.drainEndingBy(end, chunkMillis);
                for (Map.Entry<Long, SeriesBuffer.Interval> interval : closed.entrySet()) {
                    for (RawChunk chunk :
                            chunks(id, buffer, interval.getValue(), interval.getKey())) {
                        ctx.output(RAW_CHUNKS, chunk);
                    }
                }
                modified |= !closed.isEmpty();
            }
            if (buffer.counterTimestamp != SeriesBuffer.NO_BASELINE
                    && buffer.counterTimestamp < end - counterMemoryMillis) {
                buffer.counterTimestamp = SeriesBuffer.NO_BASELINE;
                modified = true;
            }
            if (buffer.isEmpty()) {
                emptied.add(id);
            } else if (modified) {
                changed.add(Map.entry(id, buffer));
            }
        }
        // Written after the walk: a map state must not change under its own iterator.
        for (Map.Entry<Long, SeriesBuffer> entry : changed) {
            series.put(entry.getKey(), entry.getValue());
        }
        for (long id : emptied) {
            series.remove(id);
        }
        if (!emptied.isEmpty()) {
            Integer count = seriesCount.value();
            int left = (count == null ? 0 : count) - emptied.size();
            if (left <= 0) {
                seriesCount.clear();
            } else {
                seriesCount.update(left);
            }
        }
    }

    private Rollup rollUp(long id, SeriesBuffer buffer, SeriesBuffer.Interval samples, long start) {
        RollupAccumulator window = new RollupAccumulator();
        for (int i = 0; i < samples.size(); i++) {
            window.add(buffer.metric, buffer.labels, samples.values()[i], samples.timestamps()[i]);
        }
        Rollup rollup = window.toRollup(id, start);
        if (Counters.isCounter(buffer.metric)) {
            // The interval is sorted by time, one sample per timestamp: its last sample is the
            // latest, the baseline of the next window.
            rollup.increase =
                    Counters.increase(
                            buffer.counterTimestamp == SeriesBuffer.NO_BASELINE
                                    ? Double.NaN
                                    : buffer.counterValue,
                            samples.values());
            rollup.rate = rollup.increase / (windowMillis / 1000.0);
            int latest = samples.size() - 1;
            buffer.counterTimestamp = samples.timestamps()[latest];
            buffer.counterValue = samples.values()[latest];
        }
        return rollup;
    }

    private static List<RawChunk> chunks(
            long id, SeriesBuffer buffer, SeriesBuffer.Interval samples, long start) {
        return RawChunk.split(
                id, buffer.metric, buffer.labels, samples, start, MAX_SAMPLES_PER_CHUNK);
    }
}
