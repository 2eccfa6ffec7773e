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
 * The samples of one series (the current key) waiting in keyed state until the event-time interval
 * they fall into is closed by the watermark: one map entry per timestamp, the series' name and
 * labels once, and one event-time timer on the last millisecond of each open interval.
 *
 * <p>Why one entry per sample rather than a running aggregate per interval: with RocksDB every
 * state access (de)serialises the value, so folding a sample into an aggregate costs a read and a
 * write of the whole aggregate (its quantile sketch, the series' labels), while a map entry costs
 * one small write. It also makes every result a function of the set of samples alone: a duplicate
 * (same timestamp, for example a collector's retry) is kept once, with the value that arrived last,
 * and the samples are handed out sorted by time whatever order they arrived in, so sums and counter
 * increases come out the same on every replay.
 *
 * <pre>{@code
 * buffer.add(sample, timerService);                        // in processElement
 * for (Interval interval : buffer.drainEndingBy(timestamp + 1).values()) { ... }   // in onTimer
 * }</pre>
 */
final class BufferedSamples {
    private final long intervalMillis;
    private final MapState<Long, Double> samples;
    private final ValueState<SeriesIdentity> series;
    private final ValueState<Long> timerInterval;

    /**
     * @param context the keyed function's runtime context
     * @param intervalMillis length of the aligned event-time intervals samples are grouped into
     */
    BufferedSamples(RuntimeContext context, long intervalMillis) {
        this.intervalMillis = intervalMillis;
        this.samples = context.getMapState(Descriptors.BUFFERED_SAMPLES);
        this.series = context.getState(Descriptors.BUFFERED_SERIES);
        this.timerInterval = context.getState(Descriptors.BUFFERED_TIMER_INTERVAL);
    }

    /** Start of the interval {@code timestamp} falls into. */
    long intervalStart(long timestamp) {
        return Math.floorDiv(timestamp, intervalMillis) * intervalMillis;
    }

    /** Buffers one sample and makes sure its interval has a timer. */
    void add(MetricSample sample, TimerService timers) throws Exception {
        long start = intervalStart(sample.getTimestamp());
        Long registered = timerInterval.value();
        if (registered == null || registered != start) {
            // Timers are deduplicated per key and time, so a sample of an older interval that
            // registers its timer again costs a write and changes nothing.
            timers.registerEventTimeTimer(start + intervalMillis - 1);
            timerInterval.update(registered == null ? start : Math.max(registered, start));
            series.update(new SeriesIdentity(sample.getName(), sample.getLabels()));
        }
        samples.put(sample.getTimestamp(), sample.getValue());
    }

    /**
     * Removes and returns the samples of every interval that ends at or before {@code end}, per
     * interval start, each sorted by time. Frees the series' state once nothing is buffered.
     */
    SortedMap<Long, Interval> drainEndingBy(long end) throws Exception {
        SeriesIdentity identity = series.value();
        SortedMap<Long, Interval> closed = new TreeMap<>();
        List<Long> taken = new ArrayList<>();
        // Iteration order is the backend's (sorted in RocksDB, hashed on the heap): sort here.
        SortedMap<Long, Double> inTime = new TreeMap<>();
        for (Map.Entry<Long, Double> entry : samples.entries()) {
            long ts = entry.getKey();
            if (intervalStart(ts) + intervalMillis <= end) {
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
            long start = intervalStart(entry.getKey());
            if (start != currentStart && !run.isEmpty()) {
                closed.put(currentStart, Interval.of(identity, run));
                run.clear();
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
            timerInterval.clear();
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
