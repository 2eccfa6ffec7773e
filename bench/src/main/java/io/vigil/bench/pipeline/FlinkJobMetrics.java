package io.vigil.bench.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.stack.FlinkRestClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The metrics of a Vigil job that the benchmarks follow, read through the Flink REST API
 * (aggregated over subtasks): everything of metrics-rollup with {@link #read()}, and of any job,
 * alerting included, the live lag of its samples source and its state with {@link #sourceLag()}.
 * Flink refreshes them every second on the local stack, so a reading can be up to a second old.
 *
 * <p>Metric ids are matched by pattern because Flink derives them from operator names (spaces and
 * colons become underscores, e.g. {@code Source__Kafka__samples.pendingRecords}).
 */
public final class FlinkJobMetrics {
    /**
     * Samples that reached the rollup operator: consumed from Kafka, decoded, shuffled. Counted by
     * the operator itself, since its records are batches.
     */
    private static final Pattern CONSUMED = Pattern.compile("Roll_up_per_origin[^.]*\\.samplesIn");

    /**
     * Records in Kafka that the samples source has not fetched yet: the live consumer lag, in
     * batches (a host's samples of one collection each). Both jobs name that source "Kafka:
     * samples"; the alerting job's rules source ("Kafka: rules") has a lag of its own, not counted.
     */
    private static final Pattern PENDING = Pattern.compile("Source__[^.]*samples\\.pendingRecords");

    /** Rows the Cassandra sink wrote and Cassandra acknowledged. */
    private static final Pattern ROWS =
            Pattern.compile("Cassandra__rollups_1m[^.]*\\.numRecordsSend");

    private static final Pattern WATERMARK =
            Pattern.compile("Roll_up_per_origin[^.]*\\.currentInputWatermark");

    private static final Pattern BUSY = Pattern.compile("busyTimeMsPerSecond");
    private static final Pattern BACKPRESSURED = Pattern.compile("backPressuredTimeMsPerSecond");

    private final FlinkRestClient flink;
    private final String jobId;

    /** The watermark metric's path and id, once found; read by one thread (the probe's). */
    private String watermarkPath;

    private String watermarkId;

    /** The samples source's lag metric's path and id, once found; read by one thread. */
    private String pendingPath;

    private String pendingId;

    public FlinkJobMetrics(FlinkRestClient flink, String jobId) {
        this.flink = flink;
        this.jobId = jobId;
    }

    /**
     * The window operator's watermark (min over subtasks) with one small request, for callers that
     * ask often.
     *
     * @return {@link Long#MIN_VALUE} while the job has none
     */
    long windowWatermark() {
        if (watermarkId == null) {
            String jobPath = "/jobs/" + jobId;
            for (JsonNode vertex : flink.get(jobPath).path("vertices")) {
                String path =
                        jobPath + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
                for (JsonNode metric : flink.get(path)) {
                    if (WATERMARK.matcher(metric.path("id").asText()).matches()) {
                        watermarkPath = path;
                        watermarkId = metric.path("id").asText();
                    }
                }
            }
            if (watermarkId == null) {
                return Long.MIN_VALUE;
            }
        }
        for (JsonNode value :
                flink.get(
                        watermarkPath
                                + "?get="
                                + URLEncoder.encode(watermarkId, StandardCharsets.UTF_8)
                                + "&agg=min")) {
            return (long) value.path("min").asDouble();
        }
        return Long.MIN_VALUE;
    }

    /**
     * The job's state and the live lag of its samples source, with two small requests once the
     * metric is found: for a job followed only for whether it keeps up (the alerting job, whose
     * operators {@link #read()} does not know).
     */
    public SourceLag sourceLag() {
        String jobPath = "/jobs/" + jobId;
        JsonNode job = flink.get(jobPath);
        String state = job.path("state").asText();
        if (pendingId == null) {
            for (JsonNode vertex : job.path("vertices")) {
                String path =
                        jobPath + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
                for (JsonNode metric : flink.get(path)) {
                    if (PENDING.matcher(metric.path("id").asText()).matches()) {
                        pendingPath = path;
                        pendingId = metric.path("id").asText();
                    }
                }
            }
            // The source registers the metric once its reader runs: until then, no lag to read.
            if (pendingId == null) {
                return new SourceLag(state, SourceLag.UNKNOWN);
            }
        }
        for (JsonNode value :
                flink.get(
                        pendingPath
                                + "?get="
                                + URLEncoder.encode(pendingId, StandardCharsets.UTF_8)
                                + "&agg=sum")) {
            return new SourceLag(state, Math.round(value.path("sum").asDouble()));
        }
        return new SourceLag(state, SourceLag.UNKNOWN);
    }

    /** Reads every followed metric once. */
    public Reading read() {
        String jobPath = "/jobs/" + jobId;
        JsonNode job = flink.get(jobPath);
        double consumed = 0;
        double pending = 0;
        double rows = 0;
        double watermark = Double.NaN;
        Map<String, Double> busy = new LinkedHashMap<>();
        Map<String, Double> backPressured = new LinkedHashMap<>();
        for (JsonNode vertex : job.path("vertices")) {
            String path = jobPath + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> wanted = new ArrayList<>();
            for (JsonNode metric : flink.get(path)) {
                String id = metric.path("id").asText();
                if (matchesAny(id, CONSUMED, PENDING, ROWS, WATERMARK)
                        || BUSY.matcher(id).matches()
                        || BACKPRESSURED.matcher(id).matches()) {
                    wanted.add(id);
                }
            }
            if (wanted.isEmpty()) {
                continue;
            }
            String query =
                    wanted.stream()
                            .map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
                            .collect(Collectors.joining(","));
            String name = shortName(vertex.path("name").asText());
            for (JsonNode value : flink.get(path + "?get=" + query + "&agg=sum,min,avg")) {
                String id = value.path("id").asText();
                if (CONSUMED.matcher(id).matches()) {
                    consumed += value.path("sum").asDouble();
                } else if (PENDING.matcher(id).matches()) {
                    pending += value.path("sum").asDouble();
                } else if (ROWS.matcher(id).matches()) {
                    rows += value.path("sum").asDouble();
                } else if (WATERMARK.matcher(id).matches()) {
                    watermark = value.path("min").asDouble();
                } else if (BUSY.matcher(id).matches()) {
                    busy.put(name, value.path("avg").asDouble() / 10.0);
                } else if (BACKPRESSURED.matcher(id).matches()) {
                    backPressured.put(name, value.path("avg").asDouble() / 10.0);
                }
            }
        }
        return new Reading(
                job.path("state").asText(),
                Math.round(consumed),
                Math.round(pending),
                Math.round(rows),
                Double.isNaN(watermark) ? Long.MIN_VALUE : (long) watermark,
                busy,
                backPressured);
    }

    private static boolean matchesAny(String id, Pattern... patterns) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(id).matches()) {
                return true;
            }
        }
        return false;
    }

    /** "source", "window" or "dead-letters": the three operator chains of the job. */
    private static String shortName(String vertexName) {
        if (vertexName.startsWith("Source")) {
            return "source";
        }
        if (vertexName.startsWith("Roll up")) {
            return "window";
        }
        return "dead-letters";
    }

    /**
     * One reading of the job's metrics.
     *
     * @param state the job's state, e.g. RUNNING
     * @param consumed samples that reached the window operator so far
     * @param pending records in Kafka the source has not fetched yet: batches, not samples (see
     *     {@link io.vigil.bench.SampleWriter#samplesPerRecord()})
     * @param rowsWritten rollup rows Cassandra acknowledged so far
     * @param watermarkMillis the window operator's event-time watermark (min over subtasks)
     * @param busyPercent per operator chain, share of time busy (average over subtasks)
     * @param backPressuredPercent per operator chain, share of time back-pressured
     */
    public record Reading(
            String state,
            long consumed,
            long pending,
            long rowsWritten,
            long watermarkMillis,
            Map<String, Double> busyPercent,
            Map<String, Double> backPressuredPercent) {}

    /**
     * A job's state and its samples source's live lag.
     *
     * @param state the job's state, e.g. RUNNING
     * @param pending records in Kafka the samples source has not fetched yet (batches, not
     *     samples), summed over subtasks; {@link #UNKNOWN} while the source has not registered the
     *     metric
     */
    public record SourceLag(String state, long pending) {
        /** The pending records while they cannot be read. */
        public static final long UNKNOWN = -1;
    }
}
