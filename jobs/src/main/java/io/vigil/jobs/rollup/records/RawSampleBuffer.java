package io.vigil.jobs.rollup.records;

import io.vigil.connectors.chunks.ChunkEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The raw samples of one series in one chunk interval, assembled when the interval is written as
 * {@link RawChunk}s.
 *
 * <p>The samples are kept sorted by timestamp and unique per timestamp as they are added, in two
 * primitive arrays. Out-of-order samples are inserted in place; a sample whose timestamp is already
 * buffered replaces the buffered value (see {@link #add}). What is written therefore depends only
 * on the set of timestamps and the last value that arrived for each, never on the order of arrival
 * otherwise.
 */
public class RawSampleBuffer {
    public String metric;
    public Map<String, String> labels;

    /** Timestamps in ms since the epoch, strictly ascending. */
    public long[] timestamps = new long[0];

    /** {@code values[i]} is the value at {@code timestamps[i]}. */
    public double[] values = new double[0];

    /**
     * Adds one sample in timestamp order. A duplicate (a timestamp already buffered, e.g. a
     * collector's retry) replaces the buffered value: the last arrival wins. A retry carries the
     * same value, so then the choice is moot; when the values differ, the later one is the newer
     * word of the source (a corrected resend), and it is also the value the rollups' {@code last}
     * takes among equal timestamps. The choice stays deterministic on a replay because a series'
     * samples all come from one Kafka partition (the series id is the key), whose order a replay
     * repeats.
     */
    public void add(String sampleMetric, Map<String, String> sampleLabels, long ts, double value) {
        if (timestamps.length == 0) {
            metric = sampleMetric;
            labels = sampleLabels;
        }
        int found = Arrays.binarySearch(timestamps, ts);
        if (found >= 0) {
            values[found] = value;
            return;
        }
        int at = -found - 1;
        int n = timestamps.length;
        long[] newTimestamps = new long[n + 1];
        double[] newValues = new double[n + 1];
        System.arraycopy(timestamps, 0, newTimestamps, 0, at);
        System.arraycopy(values, 0, newValues, 0, at);
        newTimestamps[at] = ts;
        newValues[at] = value;
        System.arraycopy(timestamps, at, newTimestamps, at + 1, n - at);
        System.arraycopy(values, at, newValues, at + 1, n - at);
        timestamps = newTimestamps;
        values = newValues;
    }

    /** Number of distinct timestamps buffered. */
    public int size() {
        return timestamps.length;
    }

    /**
     * The buffered samples as chunks of at most {@code maxSamples}, in time order: the first {@code
     * maxSamples} samples, the next {@code maxSamples}, and so on.
     *
     * <p>The first chunk's {@code chunkStart} is {@code intervalStart}; a further chunk's is the
     * timestamp of its own first sample. Both are functions of the buffered samples alone, so a
     * replay writes the same row keys, and they are distinct: later chunks start at strictly
     * increasing timestamps within the interval, after its start.
     *
     * @param intervalStart start of the chunk interval the samples belong to, ms since the epoch
     */
    public List<RawChunk> toChunks(long seriesId, long intervalStart, int maxSamples) {
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be at least 1, was " + maxSamples);
        }
        List<RawChunk> chunks = new ArrayList<>();
        for (int from = 0; from < timestamps.length; from += maxSamples) {
            int to = Math.min(from + maxSamples, timestamps.length);
            ChunkEncoder encoder = new ChunkEncoder();
            for (int i = from; i < to; i++) {
                encoder.append(timestamps[i], values[i]);
            }
            chunks.add(
                    new RawChunk(
                            seriesId,
                            metric,
                            labels,
                            from == 0 ? intervalStart : timestamps[from],
                            encoder.lastTimestamp(),
                            encoder.count(),
                            encoder.minValue(),
                            encoder.maxValue(),
                            encoder.toByteArray()));
        }
        return chunks;
    }
}
