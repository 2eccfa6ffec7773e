package io.vigil.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;

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

    /**
     * The series id of a metric name and its labels, in any order. Computed for every sample, twice
     * in a keyed job (to route it, and to key it), so it hashes ASCII characters as they are and
     * sorts the label names in an array, without encoding strings or building a sorted map.
     */
    public static long of(String metric, Map<String, String> labels) {
        long hash = mix(FNV_OFFSET, metric);
        int size = labels.size();
        if (size == 1
                || labels instanceof SortedMap<String, String> sorted
                        && sorted.comparator() == null) {
            for (Map.Entry<String, String> label : labels.entrySet()) {
                hash = mix(mix(hash, label.getKey()), label.getValue());
            }
        } else if (size > 1) {
            String[] names = labels.keySet().toArray(new String[size]);
            Arrays.sort(names);
            for (String name : names) {
                hash = mix(mix(hash, name), labels.get(name));
            }
        }
        return finalise(hash);
    }

    /**
     * The series id of a metric name with one label, the same as {@code of(metric, Map.of(name,
     * value))} without building the map: for ids computed per record, such as a batch's origin.
     */
    public static long of(String metric, String name, String value) {
        return finalise(mix(mix(mix(FNV_OFFSET, metric), name), value));
    }

    /** FNV-1a over the UTF-8 bytes of {@code part}, then the 0 separator. */
    private static long mix(long hash, String part) {
        int length = part.length();
        for (int i = 0; i < length; i++) {
            char c = part.charAt(i);
            if (c >= 0x80) {
                // The rest as UTF-8: an ASCII prefix encodes to itself, byte for byte.
                for (byte b : part.substring(i).getBytes(StandardCharsets.UTF_8)) {
                    hash = (hash ^ (b & 0xff)) * FNV_PRIME;
                }
                break;
            }
            hash = (hash ^ c) * FNV_PRIME;
        }
        // The 0 separator keeps ("ab", "c") and ("a", "bc") apart.
        return (hash ^ 0) * FNV_PRIME;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
