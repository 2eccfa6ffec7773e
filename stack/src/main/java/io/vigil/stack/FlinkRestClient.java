package io.vigil.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A small client for the REST API of a Flink session cluster: upload a job jar, run it, follow its
 * state, read its metrics, cancel it. Errors surface as {@link FlinkRestException} with the
 * response body, which is where Flink explains what went wrong.
 *
 * <pre>{@code
 * FlinkRestClient flink = stack.flinkSession();
 * String jarId = flink.uploadJar(Path.of("target/vigil-jobs.jar"));
 * String jobId = flink.runJar(jarId, "io.vigil.jobs.RollupJob", List.of("--window", "1m"), 2);
 * flink.waitForJobState(jobId, "RUNNING", Duration.ofSeconds(30));
 * long written = flink.sumMetric(jobId, "Write rollups", "rollupsWritten");
 * flink.cancel(jobId);
 * }</pre>
 */
public final class FlinkRestClient {

    /** States a job does not leave. */
    private static final Set<String> TERMINAL_STATES = Set.of("FINISHED", "FAILED", "CANCELED");

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Uploads copy the whole jar to the JobManager; a shaded job jar can be large. */
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(2);

    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final URI restUri;
    private final HttpClient http;
    private final ObjectMapper json;

    /**
     * @param restUri e.g. {@code http://127.0.0.1:8081}
     */
    public FlinkRestClient(URI restUri, HttpClient http, ObjectMapper json) {
        this.restUri = Objects.requireNonNull(restUri, "restUri");
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
    }

    /** A client with its own HTTP client (HTTP/1.1, which is what Flink's REST server speaks). */
    public static FlinkRestClient create(URI restUri) {
        return new FlinkRestClient(
                restUri,
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                new ObjectMapper());
    }

    public URI restUri() {
        return restUri;
    }

    /** The number of TaskManagers registered with the JobManager ({@code GET /overview}). */
    public int taskManagerCount() {
        return get("/overview").path("taskmanagers").asInt();
    }

    /**
     * Uploads a job jar ({@code POST /jars/upload}).
     *
     * @return the jar's id on the cluster, for {@link #runJar}
     */
    public String uploadJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new UncheckedIOException(
                    new FileNotFoundException(String.format("No jar at %s", jar)));
        }
        String boundary = "vigil-" + UUID.randomUUID();
        String head =
                "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName()
                        + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest.BodyPublisher body;
        try {
            body =
                    HttpRequest.BodyPublishers.concat(
                            HttpRequest.BodyPublishers.ofString(head),
                            HttpRequest.BodyPublishers.ofFile(jar),
                            HttpRequest.BodyPublishers.ofString(tail));
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest request =
                request("/jars/upload")
                        .timeout(UPLOAD_TIMEOUT)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(body)
                        .build();
        JsonNode response = send(request, "POST /jars/upload " + jar.getFileName());
        // The answer names the stored file, e.g. /tmp/.../flink-web-upload/<uuid>_job.jar, whose
        // file name is the jar id.
        String stored = response.path("filename").asText();
        if (stored.isEmpty()) {
            throw new StackException(
                    String.format("The jar upload answered no file name: %s", response));
        }
        return Path.of(stored).getFileName().toString();
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/:id/run}).
     *
     * @return the id of the submitted job
     */
    public String runJar(
            String jarId, String entryClass, List<String> programArgs, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException(
                    String.format("Parallelism must be at least 1: %s", parallelism));
        }
        ObjectNode body = json.createObjectNode();
        body.put("entryClass", Objects.requireNonNull(entryClass, "entryClass"));
        ArrayNode args = body.putArray("programArgsList");
        programArgs.forEach(args::add);
        body.put("parallelism", parallelism);
        String path = "/jars/" + encode(jarId) + "/run";
        HttpRequest request =
                request(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build();
        String jobId = send(request, "POST " + path).path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new StackException(String.format("Running jar %s answered no job id", jarId));
        }
        return jobId;
    }

    /** The job's state ({@code GET /jobs/:id}), e.g. {@code RUNNING}, {@code FAILED}. */
    public String jobState(String jobId) {
        return get("/jobs/" + encode(jobId)).path("state").asText();
    }

    /**
     * Waits until the job is in the given state, polling every 200 ms.
     *
     * @throws StackException if the job ends in another state first, or the timeout passes; the
     *     message holds the job's exceptions
     */
    public void waitForJobState(String jobId, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String current = jobState(jobId);
        while (!current.equals(state)) {
            if (TERMINAL_STATES.contains(current)) {
                throw new StackException(
                        String.format(
                                "Job %s is %s, it will never be %s. Its exceptions:%n%s",
                                jobId, current, state, exceptions(jobId)));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StackException(
                        String.format(
                                "Job %s is still %s after %s s, not %s. Its exceptions:%n%s",
                                jobId, current, timeout.toSeconds(), state, exceptions(jobId)));
            }
            sleep(POLL_INTERVAL);
            current = jobState(jobId);
        }
    }

    /** Cancels the job ({@code PATCH /jobs/:id?mode=cancel}); returns before it is canceled. */
    public void cancel(String jobId) {
        String path = "/jobs/" + encode(jobId) + "?mode=cancel";
        send(
                request(path).method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
                "PATCH " + path);
    }

    /**
     * The job's exceptions ({@code GET /jobs/:id/exceptions}) as text for error messages: each
     * recorded failure's task and stack trace, or the raw answer if it has an unexpected shape.
     */
    public String exceptions(String jobId) {
        JsonNode answer = get("/jobs/" + encode(jobId) + "/exceptions");
        JsonNode entries = answer.path("exceptionHistory").path("entries");
        if (!entries.isArray()) {
            return answer.toString();
        }
        if (entries.isEmpty()) {
            return "(no exceptions)";
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode entry : entries) {
            String task = entry.path("taskName").asText("");
            texts.add(
                    (task.isEmpty() ? "" : "[" + task + "] ") + entry.path("stacktrace").asText());
        }
        return String.join(System.lineSeparator(), texts);
    }

    /**
     * Sums a metric over all subtasks of the job's vertices whose name contains the given text:
     * lists each matching vertex's metrics ({@code GET /jobs/:id/vertices/:vid/subtasks/metrics})
     * and adds up the {@code sum} aggregate of every metric whose name ends with the suffix.
     *
     * <p>Metrics reach the REST API with a delay of up to {@code metrics.fetcher.update-interval}
     * (1 s on the local stack), so poll for an expected value. Choose the suffix so that it matches
     * one metric per operator: {@code numRecordsOut} also matches {@code Source__x.numRecordsOut}
     * next to the task's own {@code numRecordsOut}.
     *
     * @return the sum, rounded; 0 if no vertex or metric matches (yet)
     */
    public long sumMetric(String jobId, String vertexNameContains, String metricNameSuffix) {
        String jobPath = "/jobs/" + encode(jobId);
        double total = 0;
        for (JsonNode vertex : get(jobPath).path("vertices")) {
            if (!vertex.path("name").asText().contains(vertexNameContains)) {
                continue;
            }
            String metricsPath =
                    jobPath
                            + "/vertices/"
                            + encode(vertex.path("id").asText())
                            + "/subtasks/metrics";
            List<String> names = new ArrayList<>();
            for (JsonNode metric : get(metricsPath)) {
                String name = metric.path("id").asText();
                if (name.endsWith(metricNameSuffix)) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                continue;
            }
            String query =
                    names.stream().map(FlinkRestClient::encode).collect(Collectors.joining(","));
            for (JsonNode value : get(metricsPath + "?get=" + query + "&agg=sum")) {
                total += value.path("sum").asDouble();
            }
        }
        return Math.round(total);
    }

    /**
     * GETs any path of the REST API as JSON, for what this client has no method for.
     *
     * @param path e.g. {@code /jobs/<id>/checkpoints}
     */
    public JsonNode get(String path) {
        return send(request(path).GET().build(), "GET " + path);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(restUri.resolve(path)).timeout(REQUEST_TIMEOUT);
    }

    private JsonNode send(HttpRequest request, String description) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new StackException(
                    String.format("%s to %s failed: %s", description, restUri, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException(description + " was interrupted", e);
        }
        if (response.statusCode() >= 300) {
            throw new FlinkRestException(description, response.statusCode(), response.body());
        }
        if (response.body().isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new StackException(
                    String.format("%s answered no JSON: %s", description, response.body()), e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while waiting for a Flink job", e);
        }
    }

    @Override
    public String toString() {
        return "FlinkRestClient[" + restUri + "]";
    }
}
