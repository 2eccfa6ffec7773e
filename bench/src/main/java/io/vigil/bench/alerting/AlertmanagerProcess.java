package io.vigil.bench.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.bench.pipeline.PrometheusProcess;
import io.vigil.bench.process.ChildProcess;
import java.io.IOException;
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

/**
 * An Alertmanager run as a child process with its own configuration and storage, on a free loopback
 * port, clustering off (a single instance would otherwise wait for peers to settle before its first
 * notification); never the system's service.
 */
final class AlertmanagerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final ChildProcess process;
    private final URI uri;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private AlertmanagerProcess(ChildProcess process, URI uri) {
        this.process = process;
        this.uri = uri;
    }

    /**
     * Starts Alertmanager and waits until it is ready.
     *
     * @param dir folder for its configuration, storage, log and pid file
     * @param config the content of alertmanager.yml
     */
    static AlertmanagerProcess start(Path binary, Path dir, String config)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path configFile = dir.resolve("alertmanager.yml");
        Files.writeString(configFile, config);
        int port = PrometheusProcess.freePort();
        ChildProcess process =
                ChildProcess.start(
                        "alertmanager",
                        List.of(
                                binary.toString(),
                                "--config.file=" + configFile,
                                "--storage.path=" + dir.resolve("data"),
                                "--web.listen-address=127.0.0.1:" + port,
                                "--cluster.listen-address=",
                                "--log.level=info"),
                        dir);
        AlertmanagerProcess alertmanager =
                new AlertmanagerProcess(process, URI.create("http://127.0.0.1:" + port));
        process.awaitReady(alertmanager::answersReady, START_TIMEOUT);
        return alertmanager;
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

    URI uri() {
        return uri;
    }

    long pid() {
        return process.pid();
    }

    /** The alerts Alertmanager holds with this alertname ({@code GET /api/v2/alerts}). */
    JsonNode alerts(String alertname) throws IOException, InterruptedException {
        String filter =
                URLEncoder.encode("alertname=\"" + alertname + "\"", StandardCharsets.UTF_8);
        HttpResponse<String> response = get("/api/v2/alerts?filter=" + filter);
        if (response.statusCode() != 200) {
            throw new IOException(
                    String.format(
                            "Alertmanager answered %d to GET /api/v2/alerts: %s",
                            response.statusCode(), response.body()));
        }
        return json.readTree(response.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.close();
    }
}
