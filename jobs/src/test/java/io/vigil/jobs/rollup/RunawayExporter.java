package io.vigil.jobs.rollup;

import io.vigil.bench.Fleet;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.SeriesIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An exporter on one host of the workload that puts a request id into a label, so that every
 * request is a new series of one metric: what the cardinality limit is for. It sends two batches in
 * the middle of the workload, ten seconds apart, each with one sample of every series.
 *
 * <p>What the limit must do with them is computed here from its definition, not from the job's
 * code: the host may have at most {@code limit} series; its own series came first, and the batches
 * follow on the host's partition, so the first {@code limit - own} series of the first batch are
 * admitted, in batch order, and every sample of every later series is a dead letter.
 */
final class RunawayExporter {
    static final String METRIC = "vigil_test_request_seconds";
    static final int SERIES = 600;
    static final int SAMPLES_PER_SERIES = 2;
    private static final Duration SPACING = Duration.ofSeconds(10);

    private final Fleet.Host host;
    private final Instant first;

    /**
     * @param host the host it runs on; its batches carry the host's place
     * @param first time of the first batch
     */
    RunawayExporter(Fleet.Host host, Instant first) {
        this.host = host;
        this.first = first;
    }

    Fleet.Host host() {
        return host;
    }

    /** The label of one request's series, beyond the host's. */
    private static Map<String, String> ownLabels(int request) {
        return Map.of("request_id", String.format("req-%05d", request));
    }

    /** The two batches, each with one sample of every series, in request order. */
    List<MetricBatch> batches() {
        List<MetricBatch> batches = new ArrayList<>();
        for (int i = 0; i < SAMPLES_PER_SERIES; i++) {
            long timestamp = first.plus(SPACING.multipliedBy(i)).toEpochMilli();
            MetricBatches.Builder batch = MetricBatches.builder(host.labels(), timestamp);
            for (int request = 0; request < SERIES; request++) {
                batch.add(METRIC, ownLabels(request), 0.1 * request);
            }
            batches.add(batch.build());
        }
        return batches;
    }

    /** Series ids of every request, in request order. */
    List<Long> allSeries() {
        List<Long> ids = new ArrayList<>();
        for (int request = 0; request < SERIES; request++) {
            Map<String, String> labels = new TreeMap<>(host.labels());
            labels.putAll(ownLabels(request));
            ids.add(SeriesIds.of(METRIC, labels));
        }
        return ids;
    }

    /** The series admitted under a per-host limit, the host having {@code own} series already. */
    List<Long> admittedSeries(int limit, int own) {
        return allSeries().subList(0, Math.max(0, Math.min(SERIES, limit - own)));
    }

    /** The series turned away under a per-host limit. */
    List<Long> rejectedSeries(int limit, int own) {
        return allSeries().subList(Math.max(0, Math.min(SERIES, limit - own)), SERIES);
    }
}
