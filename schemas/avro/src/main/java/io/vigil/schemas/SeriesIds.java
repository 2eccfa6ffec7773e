package io.vigil.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stable 64-bit identity of a series: a metric name plus its labels, sorted by name.
 *
 * <p>The id is the Kafka key of every sample, so that one series always lands on one partition and
 * stays ordered, and the partition key of the series' rows in Cassandra. It must never change
 * between releases: it is FNV-1a over the canonical form {@code name\0k1\0v1\0k2\0v2...} followed
 * by the SplitMix64 finaliser, which spreads FNV's weak low bits over the whole word.
 */
public final class SeriesIds {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private SeriesIds() {}

    /** The series id of a sample. */
    public static long of(MetricSample sample) {
        return of(sample.getName(), sample.getLabels());
    }

    /** The series id of a metric name and its labels, in any order. */
    public static long of(String metric, Map<String, String> labels) {
        long hash = FNV_OFFSET;
        hash = mix(hash, metric);
        Map<String, String> sorted = labels instanceof TreeMap ? labels : new TreeMap<>(labels);
        for (Map.Entry<String, String> label : sorted.entrySet()) {
            hash = mix(hash, label.getKey());
            hash = mix(hash, label.getValue());
        }
        return finalise(hash);
    }

    private static long mix(long hash, String part) {
        // The 0 separator keeps ("ab", "c") and ("a", "bc") apart.
        for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * FNV_PRIME;
        }
        return (hash ^ 0) * FNV_PRIME;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
