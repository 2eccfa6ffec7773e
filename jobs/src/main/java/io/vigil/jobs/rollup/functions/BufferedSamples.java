package io.vigil.jobs.rollup.functions;

import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.SeriesIdentity;
import io.vigil.schemas.MetricSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.TimerService;

/**
 * The samples of one series (the current key) waiting in keyed state: one map entry per timestamp,
 * the series' name and labels once, and event-time timers on the last millisecond of each open
 * window and of each open chunk interval. A window's samples are read when it closes; they stay
 * until the chunk interval holding them closes, and are then handed out and removed.
 *
 * <p>Why one entry per sample rather than a running aggregate per window: with RocksDB every state
 * access (de)serialises the value, so folding a sample into an aggregate costs a read and a write
 * of the whole aggregate (its quantile sketch, the series' labels), while a map entry costs one
 * small write. It also makes every result a function of the set of samples alone: a duplicate (same
 * timestamp, for example a collector's retry) is kept once, with the value that arrived last, and
 * the samples are handed out sorted by time whatever order they arrived in, so sums and counter
 * increases come out the same on every replay. The rollup and the raw chunks read the same entries,
 * so a sample is stored once for both.
 *
 * <pre>{@code
 * buffer.add(sample, timerService);                        // in processElement
 * Interval window = buffer.window(windowStart);            // in onTimer, at a window's end
 * buffer.drainChunksEndingBy(end);                         // in onTimer, at a chunk's end
 * }</pre>
 */
final class BufferedSamples {
    private final long windowMillis;
    private final long chunkMillis;
    private final MapState<Long, Double> samples;
    private final ValueState<SeriesIdentity> series;
    private final ValueState<Long> timerWindow;

    /**
     * @param context the keyed function's runtime context
     * @param windowMillis length of the aligned event-time windows
     * @param chunkMillis length of the aligned chunk intervals, a multiple of the window
     */
    BufferedSamples(RuntimeContext context, long windowMillis, long chunkMillis) {
        if (chunkMillis % windowMillis != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "chunk length %d ms is not a multiple of the window, %d ms",
                            chunkMillis, windowMillis));
        }
        this.windowMillis = windowMillis;
        this.chunkMillis = chunkMillis;
        this.samples = context.getMapState(Descriptors.BUFFERED_SAMPLES);
        this.series = context.getState(Descriptors.BUFFERED_SERIES);
        this.timerWindow = context.getState(Descriptors.BUFFERED_TIMER_INTERVAL);
    }

    /** Start of the window {@code timestamp} falls into. */
    long windowStart(long timestamp) {
        return Math.floorDiv(timestamp, windowMillis) * windowMillis;
    }

    /** Start of the chunk interval {@code timestamp} falls into. */
    long chunkStart(long timestamp) {
        return Math.floorDiv(timestamp, chunkMillis) * chunkMillis;
    }

    /** Buffers one sample and makes sure its window and its chunk interval have timers. */
    void add(MetricSample sample, TimerService timers) throws Exception {
        long window = windowStart(sample.getTimestamp());
        Long registered = timerWindow.value();
        if (registered == null || registered != window) {
            // Timers are deduplicated per key and time, so a sample of an older window that
            // registers its timers again costs a write and changes nothing. A chunk's end is also
            // a window's end: then the two are one timer.
            timers.registerEventTimeTimer(window + windowMillis - 1);
            timers.registerEventTimeTimer(chunkStart(window) + chunkMillis - 1);
            timerWindow.update(registered == null ? window : Math.max(registered, window));
            series.update(new SeriesIdentity(sample.getName(), sample.getLabels()));
        }
        samples.put(sample.getTimestamp(), sample.getValue());
    }

    /** The samples of the window starting at {@code start}, sorted by time; they stay buffered. */
    Interval window(long start) throws Exception {
        SortedMap<Long, Double> inTime = new TreeMap<>();
        // Iteration order is the backend's (sorted in RocksDB, hashed on the heap): sort here.
        for (Map.Entry<Long, Double> entry : samples.entries()) {
            if (windowStart(entry.getKey()) == start) {
                inTime.put(entry.getKey(), entry.getValue());
            }
        }
        SeriesIdentity identity = series.value();
        return inTime.isEmpty() || identity == null
                ? null
                : Interval.of(identity, new ArrayList<>(inTime.entrySet()));
    }

    /**
     * Removes and returns the samples of every chunk interval that ends at or before {@code end},
     * per interval start, each sorted by time. Frees the series' state once nothing is buffered.
     */
    SortedMap<Long, Interval> drainChunksEndingBy(long end) throws Exception {
        SeriesIdentity identity = series.value();
        SortedMap<Long, Interval> closed = new TreeMap<>();
        List<Long> taken = new ArrayList<>();
        SortedMap<Long, Double> inTime = new TreeMap<>();
        for (Map.Entry<Long, Double> entry : samples.entries()) {
            long ts = entry.getKey();
            if (chunkStart(ts) + chunkMillis <= end) {
                inTime.put(ts, entry.getValue());
                taken.add(ts);
            }
        }
        if (identity == null || inTime.isEmpty()) {
            return closed;
        }
        long currentStart = Long.MIN_VALUE;
        List<Map.Entry<Long, Double>> run = new ArrayList<>();
        for (Map.Entry<Long, Double> entry : inTime.entrySet()) {
            long start = chunkStart(entry.getKey());
            if (start != currentStart && !run.isEmpty()) {
                closed.put(currentStart, Interval.of(identity, run));
                run = new ArrayList<>();
            }
            currentStart = start;
            run.add(entry);
        }
        closed.put(currentStart, Interval.of(identity, run));
        for (long ts : taken) {
            samples.remove(ts);
        }
        if (samples.isEmpty()) {
            series.clear();
            timerWindow.clear();
        }
        return closed;
    }

    /** The samples of one closed interval of a series, sorted by time, unique per timestamp. */
    record Interval(SeriesIdentity series, long[] timestamps, double[] values) {
        static Interval of(SeriesIdentity series, List<Map.Entry<Long, Double>> inTime) {
            long[] timestamps = new long[inTime.size()];
            double[] values = new double[inTime.size()];
            for (int i = 0; i < timestamps.length; i++) {
                timestamps[i] = inTime.get(i).getKey();
                values[i] = inTime.get(i).getValue();
            }
            return new Interval(series, timestamps, values);
        }

        int size() {
            return timestamps.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Interval other
                    && series.equals(other.series)
                    && Arrays.equals(timestamps, other.timestamps)
                    && Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * series.hashCode() + Arrays.hashCode(timestamps))
                    + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return series.metric + series.labels + " " + timestamps.length + " samples";
        }
    }
}
