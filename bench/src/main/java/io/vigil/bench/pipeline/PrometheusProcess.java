package io.vigil.bench.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.bench.process.ChildProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * A Prometheus server run as a child process with its own configuration and a fresh TSDB folder,
 * bound to a free loopback port; never the system's service.
 *
 * <p>Its pid goes to {@code prometheus.pid} next to the configuration ({@link ChildProcess}), so
 * that the benchmark scripts can stop it even if this JVM is killed; a shutdown hook stops it on
 * Ctrl-C.
 */
public final class PrometheusProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final ChildProcess process;
    private final URI uri;
    private final Path tsdb;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private PrometheusProcess(ChildProcess process, URI uri, Path tsdb) {
        this.process = process;
        this.uri = uri;
        this.tsdb = tsdb;
    }

    /**
     * Starts Prometheus and waits until it is ready.
     *
     * @param binary the prometheus executable
     * @param dir folder for its configuration, TSDB ({@code data/}), log and pid file; files the
     *     configuration refers to (rule files) are written there before
     * @param config the content of prometheus.yml
     */
    public static PrometheusProcess start(Path binary, Path dir, String config)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        Path tsdb = dir.resolve("data");
        int port = freePort();
        ChildProcess process =
                ChildProcess.start(
                        "prometheus",
                        List.of(
                                binary.toString(),
                                "--config.file=" + configFile,
                                "--storage.tsdb.path=" + tsdb,
                                "--storage.tsdb.retention.time=1d",
                                "--web.listen-address=127.0.0.1:" + port,
                                "--log.level=info"),
                        dir);
        PrometheusProcess prometheus =
                new PrometheusProcess(process, URI.create("http://127.0.0.1:" + port), tsdb);
        process.awaitReady(prometheus::answersReady, START_TIMEOUT);
        return prometheus;
    }

    /** A free loopback port (free now; a server started right after takes it). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private boolean answersReady() {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException e) {
            return false; // Not listening yet.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public long pid() {
        return process.pid();
    }

    public URI uri() {
        return uri;
    }

    /** The TSDB folder: {@code wal/}, {@code chunks_head/} and, after two hours, blocks. */
    public Path tsdb() {
        return tsdb;
    }

    /**
     * The sum of all series of a metric in Prometheus's own /metrics (its self-instrumentation,
     * read directly rather than scraped, so no extra samples are stored for it).
     */
    public double selfMetric(String name) throws IOException, InterruptedException {
        return selfMetric(name, "");
    }

    /** As {@link #selfMetric(String)}, for the series whose labels contain {@code labelText}. */
    public double selfMetric(String name, String labelText)
            throws IOException, InterruptedException {
        double sum = 0;
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name)
                    && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')
                    && line.contains(labelText)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The first value of an instant PromQL query, if it has one. */
    public OptionalDouble query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> response =
                get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode result = json.readTree(response.body()).path("data").path("result");
        if (!result.isArray() || result.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    /** The version line of {@code prometheus --version}. */
    public static String version(Path binary) throws IOException, InterruptedException {
        Process process =
                new ProcessBuilder(binary.toString(), "--version")
                        .redirectErrorStream(true)
                        .start();
        List<String> lines =
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList();
        process.waitFor(10, TimeUnit.SECONDS);
        return lines.isEmpty() ? "unknown" : lines.get(0).trim();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.close();
    }
}
