package io.vigil.notifier.delivery;

import static io.vigil.notifier.Alerts.T0;
import static io.vigil.notifier.Alerts.firing;
import static io.vigil.notifier.Alerts.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.notifier.WebhookReceiver;
import io.vigil.notifier.config.IntegrationConfig;
import io.vigil.schemas.AlertEvent;
import io.vigil.stack.process.DebianBinaries;
import io.vigil.stack.process.ManagedProcess;
import io.vigil.stack.process.PortAllocator;
import io.vigil.stack.process.ProcessSpec;
import io.vigil.stack.process.ReadinessCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forwarding to an existing Alertmanager: the real one, Debian's {@code prometheus-alertmanager}
 * (installed if missing), takes the alerts the notifier posts, shows them in its API with their
 * labels, annotations and start, routes them to its own webhook receiver, and resolves them when
 * the notifier forwards the resolution.
 */
class AlertmanagerForwardingITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Map<String, String> DB1 =
            Map.of("alertname", "DiskFull", "host", "db-1", "severity", "critical");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private WebhookReceiver downstream;
    private ManagedProcess alertmanager;
    private URI alertmanagerUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonPoster poster = new JsonPoster(JsonPoster.client(TIMEOUT), TIMEOUT);

    @BeforeEach
    void startAlertmanager() throws Exception {
        Path binary =
                DebianBinaries.require("prometheus-alertmanager", "prometheus-alertmanager", dir);
        downstream = new WebhookReceiver();
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "route:",
                        "  receiver: hook",
                        "  group_by: [alertname]",
                        "  group_wait: 100ms",
                        "  group_interval: 1s",
                        "  repeat_interval: 1h",
                        "receivers:",
                        "  - name: hook",
                        "    webhook_configs:",
                        "      - url: " + downstream.url("/from-alertmanager"),
                        "        send_resolved: true",
                        ""));
        int port = new PortAllocator().next();
        alertmanagerUrl = URI.create("http://127.0.0.1:" + port);
        alertmanager =
                ManagedProcess.launch(
                                ProcessSpec.builder("alertmanager")
                                        .command(
                                                List.of(
                                                        binary.toString(),
                                                        "--config.file=" + config,
                                                        "--storage.path=" + dir.resolve("data"),
                                                        "--web.listen-address=127.0.0.1:" + port,
                                                        // One instance: no gossip port.
                                                        "--cluster.listen-address="))
                                        .workingDir(dir)
                                        .outputFile(dir.resolve("alertmanager.log"))
                                        .logFile(dir.resolve("alertmanager.log"))
                                        .mainPort("web", port)
                                        .readiness(
                                                ReadinessCheck.httpOk(
                                                        alertmanagerUrl.resolve("/-/ready")))
                                        .build())
                        .awaitReady();
    }

    @AfterEach
    void stop() {
        if (alertmanager != null) {
            alertmanager.stop();
        }
        if (downstream != null) {
            downstream.close();
        }
    }

    private void forward(AlertEvent... alerts) throws Exception {
        HttpSenders.alertmanager(
                        new IntegrationConfig.Alertmanager(alertmanagerUrl, true), poster, "")
                .send(
                        new Message(
                                "n-" + System.nanoTime(),
                                "alertmanager",
                                "{}:{alertname=\"DiskFull\"}",
                                Map.of("alertname", "DiskFull"),
                                List.of(alerts),
                                0,
                                "replica-a"));
    }

    private JsonNode alertsInAlertmanager() throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(alertmanagerUrl.resolve("/api/v2/alerts")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The first notification Alertmanager sent downstream that matches, waiting for it. */
    private JsonNode awaitDownstream(Predicate<JsonNode> matches) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (WebhookReceiver.Request request : downstream.accepted()) {
                if (matches.test(request.body())) {
                    return request.body();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "Alertmanager sent no matching notification within "
                        + TIMEOUT.toSeconds()
                        + " s; it sent "
                        + downstream.accepted());
    }

    @Test
    void alertmanagerTakesFiringAlertsAndTheirResolution() throws Exception {
        forward(firing("fp-db1", DB1, T0));

        JsonNode stored = alertsInAlertmanager();
        assertThat(stored).hasSize(1);
        JsonNode alert = stored.get(0);
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("DiskFull");
        assertThat(alert.get("labels").get("host").asText()).isEqualTo("db-1");
        assertThat(alert.get("status").get("state").asText()).isEqualTo("active");
        assertThat(alert.get("startsAt").asText()).startsWith("2026-11-25T09:00:00");
        assertThat(alert.get("annotations").size())
                .isEqualTo(firing("fp-db1", DB1, T0).getAnnotations().size());

        JsonNode firingNotification =
                awaitDownstream(body -> "firing".equals(body.get("status").asText()));
        assertThat(firingNotification.get("alerts").get(0).get("labels").get("host").asText())
                .isEqualTo("db-1");

        forward(resolved("fp-db1", DB1, T0.plusSeconds(60)));

        JsonNode resolvedNotification =
                awaitDownstream(body -> "resolved".equals(body.get("status").asText()));
        JsonNode resolvedAlert = resolvedNotification.get("alerts").get(0);
        assertThat(resolvedAlert.get("labels").get("host").asText()).isEqualTo("db-1");
        assertThat(resolvedAlert.get("endsAt").asText()).startsWith("2026-11-25T09:01:00");
        assertThat(alertsInAlertmanager()).as("resolved alerts leave the active list").isEmpty();
    }
}
