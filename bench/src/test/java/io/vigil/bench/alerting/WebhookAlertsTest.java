package io.vigil.bench.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.notifier.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookAlertsTest {
    /** What Alertmanager 0.25 posts (trimmed to the fields that matter, plus a few that do not). */
    private static final String PAYLOAD =
            """
            {"receiver":"bench","status":"firing","alerts":[
              {"status":"firing","labels":{"alertname":"BenchCpuHigh","host":"host-000050","instance":"shard-0002"},
               "annotations":{},"startsAt":"2026-11-25T15:40:01.234Z","endsAt":"0001-01-01T00:00:00Z",
               "generatorURL":"http://x/graph","fingerprint":"a1b2c3d4e5f60708"},
              {"status":"resolved","labels":{"alertname":"BenchCpuHigh","host":"host-000000"},
               "fingerprint":"0102030405060708"}],
             "groupLabels":{},"commonLabels":{"alertname":"BenchCpuHigh"},"commonAnnotations":{},
             "externalURL":"http://x","version":"4","groupKey":"{}:{}","truncatedAlerts":0}
            """;

    @Test
    void readsStatusLabelsAndFingerprintOfEachAlert() throws IOException {
        List<WebhookAlerts.Alert> alerts =
                WebhookAlerts.parse(PAYLOAD.getBytes(StandardCharsets.UTF_8));

        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0).firing()).isTrue();
        assertThat(alerts.get(0).labels())
                .containsEntry("alertname", "BenchCpuHigh")
                .containsEntry("host", "host-000050");
        assertThat(alerts.get(0).fingerprint()).isEqualTo("a1b2c3d4e5f60708");
        assertThat(alerts.get(1).firing()).isFalse();
    }

    @Test
    void refusesWhatIsNoVersion4Payload() {
        assertThatThrownBy(() -> WebhookAlerts.parse("{\"alerts\":[]}".getBytes()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 4");
        assertThatThrownBy(() -> WebhookAlerts.parse("{\"version\":\"4\"}".getBytes()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no alerts list");
        assertThatThrownBy(() -> WebhookAlerts.parse("not json".getBytes()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(
                        () ->
                                WebhookAlerts.parse(
                                        "{\"version\":\"4\",\"alerts\":[{\"status\":\"odd\"}]}"
                                                .getBytes()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("odd");
    }

    @Test
    void theReceiverTimesFiringAlertsOfItsRuleAndCountsTheRest() throws Exception {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-000050"));
        latencies.injected("host-000050", 0);
        try (AlertWebhookReceiver receiver = new AlertWebhookReceiver("BenchCpuHigh", latencies)) {
            HttpClient http = HttpClient.newHttpClient();
            long before = System.currentTimeMillis();

            HttpResponse<Void> accepted = post(http, receiver.url(), PAYLOAD);
            HttpResponse<Void> refused = post(http, receiver.url(), "{}");

            assertThat(accepted.statusCode()).isEqualTo(200);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(latencies.stage(AlertWebhookReceiver.STAGE).latencyByHost())
                    .hasEntrySatisfying(
                            "host-000050",
                            at -> assertThat(at).isBetween(before, System.currentTimeMillis()));
            // The resolved alert is for host-000000, which has no incident: counted, not timed.
            assertThat(receiver.counts()).isEqualTo(new AlertWebhookReceiver.Counts(2, 1, 0, 1));
        }
    }

    private static HttpResponse<Void> post(HttpClient http, URI url, String body)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void theRoutingBothSidesReadIsOneTheNotifierAccepts() throws Exception {
        try (AlertWebhookReceiver receiver =
                new AlertWebhookReceiver("BenchCpuHigh", new IncidentLatencies(List.of("h")))) {
            var route = ConfigLoader.parse(receiver.routeEverythingHere()).route();
            assertThat(route.receiver()).isEqualTo("bench");
            assertThat(route.timings().groupWait()).isEqualTo(Duration.ZERO);
            assertThat(route.timings().groupInterval()).isEqualTo(Duration.ofSeconds(1));
        }
    }
}
