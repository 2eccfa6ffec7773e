package io.vigil.jobs.rollup;

import io.vigil.bench.Fleet;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An exporter on one host of the workload that puts a request id into a label, so that every
 * request is a new series of one metric: what the cardinality limit is for. Its samples fall in the
 * middle of the workload, two per series, ten seconds apart.
 *
 * <p>What the limit must do with them is computed here from its definition, not from the job's
 * code: the series of a metric are split into shards by series id modulo the shard count, each
 * shard admits its first {@code ceil(limit / shards)} series, and every sample of any further
 * series is a dead letter. Which series of a full shard come first depends on arrival order across
 * Kafka partitions, so the truth is a number per shard, not a set of series.
 */
final class RunawayExporter {
    static final String METRIC = "vigil_test_request_seconds";
    static final int SERIES = 600;
    static final int SAMPLES_PER_SERIES = 2;
    private static final Duration SPACING = Duration.ofSeconds(10);

    private final Fleet.Host host;
    private final Instant first;

    /**
     * @param host the host it runs on; its samples carry the host's place
     * @param first time of each series' first sample
     */
    RunawayExporter(Fleet.Host host, Instant first) {
        this.host = host;
        this.first = first;
    }

    /** The labels of one request's series. */
    Map<String, String> labels(int request) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("host", host.name());
        labels.put("dc", host.dc());
        labels.put("cluster", host.cluster());
        labels.put("rack", host.rack());
        labels.put("request_id", String.format("req-%05d", request));
        return labels;
    }

    /** Every sample, the first of each series, then the second of each. */
    List<MetricSample> samples() {
        List<MetricSample> samples = new ArrayList<>();
        for (int i = 0; i < SAMPLES_PER_SERIES; i++) {
            long timestamp = first.plus(SPACING.multipliedBy(i)).toEpochMilli();
            for (int request = 0; request < SERIES; request++) {
                samples.add(new MetricSample(METRIC, labels(request), 0.1 * request, timestamp));
            }
        }
        return samples;
    }

    /** Series ids by shard among {@code shards}. */
    Map<Integer, List<Long>> seriesByShard(int shards) {
        Map<Integer, List<Long>> byShard = new HashMap<>();
        for (int request = 0; request < SERIES; request++) {
            long id = SeriesIds.of(METRIC, labels(request));
            byShard.computeIfAbsent(shardOf(id, shards), s -> new ArrayList<>()).add(id);
        }
        return byShard;
    }

    /** The shard a series falls in: its id modulo the shard count, never negative. */
    static int shardOf(long seriesId, int shards) {
        return (int) Math.floorMod(seriesId, (long) shards);
    }

    /** Most series one shard admits: the limit spread over the shards, rounded up. */
    static int perShard(int limit, int shards) {
        return (limit + shards - 1) / shards;
    }

    /** How many of its series must be turned away under a limit. */
    int rejectedSeries(int limit, int shards) {
        int perShard = perShard(limit, shards);
        return seriesByShard(shards).values().stream()
                .mapToInt(ids -> Math.max(0, ids.size() - perShard))
                .sum();
    }
}
