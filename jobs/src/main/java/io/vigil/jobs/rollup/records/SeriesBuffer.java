package io.vigil.jobs.rollup.records;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One series of a host in the rollup's keyed state: its name and labels once, the samples not yet
 * written as raw chunks (in arrival order, 16 bytes each), and for counters the baseline of the
 * next window's increase.
 *
 * <p>Samples are appended as they arrive and sorted only when a window or a chunk interval is read,
 * so adding one is an array write. Reading sorts by time, stably, and keeps one sample per
 * timestamp, the one that arrived last: a collector's retry counts once, and a window's aggregate
 * and a chunk's bytes depend on the set of samples alone, not on their arrival order.
 *
 * <p>Serialised by {@link SeriesBufferSerializer} ({@link #TYPE}), which writes the samples as one
 * compact block. The arrays may be longer than {@link #size}: capacity doubles.
 */
public class SeriesBuffer {
    /** How Flink serialises it in state: {@link SeriesBufferSerializer}. */
    public static final TypeInformation<SeriesBuffer> TYPE = new SeriesBufferSerializer.TypeInfo();

    /** {@link #counterTimestamp} of a series with no baseline. */
    public static final long NO_BASELINE = Long.MIN_VALUE;

    public String metric;
    public Map<String, String> labels;

    /** Event times of the buffered samples, ms; {@code [0, size)} in arrival order. */
    public long[] timestamps = new long[0];

    public double[] values = new double[0];
    public int size;

    /**
     * Counters: event time and value of the latest sample of the last written window, the baseline
     * of the next window's increase; {@link #NO_BASELINE} when there is none.
     */
    public long counterTimestamp = NO_BASELINE;

    public double counterValue;

    /** For Flink's POJO serializer. */
    public SeriesBuffer() {}

    public SeriesBuffer(String metric, Map<String, String> labels) {
        this.metric = metric;
        this.labels = labels;
    }

    /** Appends one sample. */
    public void add(long timestamp, double value) {
        if (size == timestamps.length) {
            int capacity = Math.max(8, size * 2);
            timestamps = Arrays.copyOf(timestamps, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        timestamps[size] = timestamp;
        values[size] = value;
        size++;
    }

    /** Whether nothing is left to write or to remember: the series can leave state. */
    public boolean isEmpty() {
        return size == 0 && counterTimestamp == NO_BASELINE;
    }

    /**
     * The samples with {@code start <= timestamp < end}, sorted, one per timestamp; null if none.
     * They stay buffered.
     */
    public Interval between(long start, long end) {
        int n = 0;
        long[] ts = new long[size];
        double[] vs = new double[size];
        for (int i = 0; i < size; i++) {
            if (timestamps[i] >= start && timestamps[i] < end) {
                ts[n] = timestamps[i];
                vs[n] = values[i];
                n++;
            }
        }
        return n == 0 ? null : Interval.sorted(ts, vs, n);
    }

    /**
     * Removes and returns the samples of every interval of {@code length} (aligned to the epoch)
     * that ends at or before {@code end}, per interval start, each sorted and one per timestamp.
     */
    public SortedMap<Long, Interval> drainEndingBy(long end, long length) {
        SortedMap<Long, Interval> drained = new TreeMap<>();
        int kept = 0;
        int taken = 0;
        long[] ts = new long[size];
        double[] vs = new double[size];
        for (int i = 0; i < size; i++) {
            if (Math.floorDiv(timestamps[i], length) * length + length <= end) {
                ts[taken] = timestamps[i];
                vs[taken] = values[i];
                taken++;
            } else {
                timestamps[kept] = timestamps[i];
                values[kept] = values[i];
                kept++;
            }
        }
        size = kept;
        if (kept == 0 && timestamps.length > 64) {
            // A series that once had a burst does not keep its capacity forever.
            timestamps = new long[0];
            values = new double[0];
        }
        if (taken == 0) {
            return drained;
        }
        Interval all = Interval.sorted(ts, vs, taken);
        int from = 0;
        for (int i = 1; i <= all.size(); i++) {
            long start = Math.floorDiv(all.timestamps()[from], length) * length;
            if (i == all.size() || Math.floorDiv(all.timestamps()[i], length) * length != start) {
                drained.put(start, all.slice(from, i));
                from = i;
            }
        }
        return drained;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SeriesBuffer other)) {
            return false;
        }
        return size == other.size
                && counterTimestamp == other.counterTimestamp
                && Double.compare(counterValue, other.counterValue) == 0
                && Objects.equals(metric, other.metric)
                && Objects.equals(labels, other.labels)
                && Arrays.equals(timestamps, 0, size, other.timestamps, 0, size)
                && Arrays.equals(values, 0, size, other.values, 0, size);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, labels, size, counterTimestamp);
    }

    @Override
    public String toString() {
        return metric + labels + " " + size + " samples buffered";
    }

    /** Samples of one interval of a series, sorted by time, one per timestamp. */
    public record Interval(long[] timestamps, double[] values) {
        /**
         * The first {@code n} samples sorted stably by time, then one per timestamp: the last to
         * arrive. Insertion sort: samples arrive nearly in order, so it is close to linear.
         */
        static Interval sorted(long[] ts, double[] vs, int n) {
            for (int i = 1; i < n; i++) {
                long t = ts[i];
                double v = vs[i];
                int j = i - 1;
                while (j >= 0 && ts[j] > t) {
                    ts[j + 1] = ts[j];
                    vs[j + 1] = vs[j];
                    j--;
                }
                ts[j + 1] = t;
                vs[j + 1] = v;
            }
            int unique = 0;
            for (int i = 0; i < n; i++) {
                if (unique > 0 && ts[unique - 1] == ts[i]) {
                    vs[unique - 1] = vs[i]; // equal times: the later arrival wins
                } else {
                    ts[unique] = ts[i];
                    vs[unique] = vs[i];
                    unique++;
                }
            }
            return new Interval(Arrays.copyOf(ts, unique), Arrays.copyOf(vs, unique));
        }

        Interval slice(int from, int to) {
            return new Interval(
                    Arrays.copyOfRange(timestamps, from, to), Arrays.copyOfRange(values, from, to));
        }

        public int size() {
            return timestamps.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Interval other
                    && Arrays.equals(timestamps, other.timestamps)
                    && Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(timestamps) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return timestamps.length + " samples";
        }
    }
}
