package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.notifier.delivery.AlertmanagerPayloads;
import io.vigil.notifier.delivery.Message;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook receiver of {@code vigil up}'s default notifier configuration, fed the payload the
 * notifier's webhook integration builds, over HTTP.
 */
class NotificationInboxTest {

    private static final Instant T0 = Instant.parse("2026-11-25T09:00:00Z");
    private static final Instant FIVE_MINUTES_LATER = T0.plusSeconds(300);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> console = new CopyOnWriteArrayList<>();

    @Test
    void appendsEachNotificationReadablyAndCountsIt() throws Exception {
        Path file = dataDir.resolve("notifications.log");
        Clock clock = Clock.fixed(FIVE_MINUTES_LATER, ZoneOffset.UTC);
        try (NotificationInbox inbox = NotificationInbox.start(file, console::add, clock)) {
            Message firing =
                    new Message(
                            "n-1",
                            DefaultNotifierConfig.RECEIVER,
                            "{}:{alertname=\"CpuHigh\"}",
                            Map.of("alertname", "CpuHigh"),
                            List.of(
                                    alert("host-000003", AlertState.FIRING),
                                    alert("host-000007", AlertState.FIRING)),
                            1,
                            "local-1");

            assertThat(post(inbox, AlertmanagerPayloads.webhook(firing, 0, ""))).isEqualTo(200);

            assertThat(inbox.received()).isEqualTo(1);
            assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
                    .containsExactly(
                            "2026-11-25T09:05:00Z [FIRING:2] {alertname=\"CpuHigh\"} to"
                                    + " vigil-up",
                            "    firing   {alertname=\"CpuHigh\", host=\"host-000003\","
                                    + " severity=\"warning\"} since 2026-11-25T09:00:00Z: CPU on"
                                    + " host-000003 above 90 %",
                            "    firing   {alertname=\"CpuHigh\", host=\"host-000007\","
                                    + " severity=\"warning\"} since 2026-11-25T09:00:00Z: CPU on"
                                    + " host-000007 above 90 %");
            assertThat(console)
                    .containsExactly(
                            "notification 2026-11-25T09:05:00Z [FIRING:2]"
                                    + " {alertname=\"CpuHigh\"} to vigil-up");
        }
    }

    @Test
    void refusesWhatIsNotAWebhookPayload() throws Exception {
        Path file = dataDir.resolve("notifications.log");
        try (NotificationInbox inbox =
                NotificationInbox.start(file, console::add, Clock.systemUTC())) {
            assertThat(post(inbox, Map.of("text", "hello"))).isEqualTo(400);
            assertThat(
                            http.send(
                                            HttpRequest.newBuilder(inbox.url())
                                                    .POST(HttpRequest.BodyPublishers.ofString("{"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode())
                    .isEqualTo(400);

            assertThat(inbox.received()).isZero();
            assertThat(file).doesNotExist();
            assertThat(console).isEmpty();
        }
    }

    private int post(NotificationInbox inbox, Object payload) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(inbox.url())
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofByteArray(
                                                JSON.writeValueAsBytes(payload)))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static AlertEvent alert(String host, AlertState state) {
        return AlertEvent.newBuilder()
                .setEventId(host + "#1")
                .setFingerprint(host)
                .setRuleId("host.CpuHigh")
                .setRuleVersion(1)
                .setState(state)
                .setSeverity("warning")
                .setLabels(Map.of("alertname", "CpuHigh", "host", host))
                .setAnnotations(Map.of("summary", "CPU on " + host + " above 90 %"))
                .setValue(0.97)
                .setStartsAt(T0.toEpochMilli())
                .setEndsAt(null)
                .setEventTime(FIVE_MINUTES_LATER.toEpochMilli())
                .setSequence(1)
                .build();
    }
}
