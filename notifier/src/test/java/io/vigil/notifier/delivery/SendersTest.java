package io.vigil.notifier.delivery;

import static io.vigil.notifier.Alerts.T0;
import static io.vigil.notifier.Alerts.firing;
import static io.vigil.notifier.Alerts.resolved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.vigil.notifier.WebhookReceiver;
import io.vigil.notifier.config.IntegrationConfig;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each sender against a real server on loopback: a JDK HTTP server for webhook, Slack and
 * Alertmanager, GreenMail for SMTP. Payload shapes are Alertmanager's.
 */
class SendersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Map<String, String> DB1 =
            Map.of("alertname", "DiskFull", "instance", "db-1", "severity", "critical");
    private static final Map<String, String> DB2 =
            Map.of("alertname", "DiskFull", "instance", "db-2", "severity", "critical");

    private final Message message =
            new Message(
                    "n-1",
                    "ops",
                    "{}:{alertname=\"DiskFull\"}",
                    Map.of("alertname", "DiskFull"),
                    List.of(firing("a", DB1, T0), resolved("b", DB2, T0.plusSeconds(60))),
                    1,
                    "replica-a");

    private final JsonPoster poster = new JsonPoster(JsonPoster.client(TIMEOUT), TIMEOUT);

    @Test
    void webhookPostsAlertmanagersPayload() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            HttpSenders.webhook(
                            new IntegrationConfig.Webhook(receiver.url("/hook"), 0, true),
                            poster,
                            "http://vigil:9095")
                    .send(message);

            WebhookReceiver.Request request = receiver.accepted().get(0);
            assertThat(request.idempotencyKey()).isEqualTo("n-1");
            assertThat(request.sender()).isEqualTo("replica-a");
            JsonNode body = request.body();
            assertThat(body.get("version").asText()).isEqualTo("4");
            assertThat(body.get("status").asText()).isEqualTo("firing");
            assertThat(body.get("receiver").asText()).isEqualTo("ops");
            assertThat(body.get("groupKey").asText()).isEqualTo("{}:{alertname=\"DiskFull\"}");
            assertThat(body.get("groupLabels").get("alertname").asText()).isEqualTo("DiskFull");
            assertThat(body.get("commonLabels").get("severity").asText()).isEqualTo("critical");
            assertThat(body.get("commonLabels").has("instance")).isFalse();
            assertThat(body.get("truncatedAlerts").asInt()).isZero();
            JsonNode first = body.get("alerts").get(0);
            assertThat(first.get("status").asText()).isEqualTo("firing");
            assertThat(first.get("labels").get("instance").asText()).isEqualTo("db-1");
            assertThat(first.get("startsAt").asText()).isEqualTo("2026-11-25T09:00:00Z");
            assertThat(first.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
            assertThat(first.get("fingerprint").asText()).isEqualTo("a");
            assertThat(first.get("generatorURL").asText())
                    .isEqualTo("http://vigil:9095/rules/DiskFull");
            assertThat(body.get("alerts").get(1).get("endsAt").asText())
                    .isEqualTo("2026-11-25T09:01:00Z");
        }
    }

    @Test
    void webhookTruncatesToMaxAlerts() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            HttpSenders.webhook(
                            new IntegrationConfig.Webhook(receiver.url("/"), 1, true), poster, "")
                    .send(message);

            JsonNode body = receiver.accepted().get(0).body();
            assertThat(body.get("alerts")).hasSize(1);
            assertThat(body.get("truncatedAlerts").asInt()).isEqualTo(1);
        }
    }

    @Test
    void alertmanagerGetsPostableAlertsOnItsV2Api() throws Exception {
        try (WebhookReceiver alertmanager = new WebhookReceiver()) {
            HttpSenders.alertmanager(
                            new IntegrationConfig.Alertmanager(alertmanager.url(""), true),
                            poster,
                            "")
                    .send(message);

            WebhookReceiver.Request request = alertmanager.accepted().get(0);
            assertThat(request.path()).isEqualTo("/api/v2/alerts");
            JsonNode alerts = request.body();
            assertThat(alerts.isArray()).isTrue();
            assertThat(alerts).hasSize(2);
            assertThat(alerts.get(0).get("labels").get("alertname").asText()).isEqualTo("DiskFull");
            assertThat(alerts.get(0).has("endsAt")).as("firing: no end").isFalse();
            assertThat(alerts.get(1).get("endsAt").asText()).isEqualTo("2026-11-25T09:01:00Z");
            assertThat(alerts.get(0).get("startsAt").asText()).isEqualTo("2026-11-25T09:00:00Z");
            assertThat(alerts.get(0).has("fingerprint"))
                    .as("not part of postable alerts")
                    .isFalse();
        }
    }

    @Test
    void slackGetsAnIncomingWebhookMessage() throws Exception {
        try (WebhookReceiver slack = new WebhookReceiver()) {
            HttpSenders.slack(
                            new IntegrationConfig.Slack(slack.url("/services/x"), "#ops", true),
                            poster)
                    .send(message);

            JsonNode body = slack.accepted().get(0).body();
            assertThat(body.get("channel").asText()).isEqualTo("#ops");
            assertThat(body.get("text").asText()).isEqualTo("[FIRING:1] DiskFull {}");
            assertThat(body.get("attachments")).hasSize(2);
            assertThat(body.get("attachments").get(0).get("color").asText()).isEqualTo("danger");
            assertThat(body.get("attachments").get(0).get("text").asText())
                    .startsWith("firing DiskFull {alertname=\"DiskFull\", instance=\"db-1\"");
            assertThat(body.get("attachments").get(1).get("color").asText()).isEqualTo("good");
        }
    }

    @Test
    void httpFailuresSayWhetherARetryCanHelp() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.refuseNext(1);
            Sender webhook =
                    HttpSenders.webhook(
                            new IntegrationConfig.Webhook(receiver.url("/"), 0, true), poster, "");

            assertThatThrownBy(() -> webhook.send(message))
                    .isInstanceOf(DeliveryException.class)
                    .hasMessageContaining("answered HTTP 503")
                    .satisfies(e -> assertThat(((DeliveryException) e).isTransient()).isTrue());
        }
        Sender nowhere =
                HttpSenders.webhook(
                        new IntegrationConfig.Webhook(URI.create("http://127.0.0.1:1/"), 0, true),
                        poster,
                        "");
        assertThatThrownBy(() -> nowhere.send(message))
                .hasMessageStartingWith("POST http://127.0.0.1:1/ failed: ConnectException")
                .satisfies(e -> assertThat(((DeliveryException) e).isTransient()).isTrue());
    }

    @Test
    void emailGoesToARealSmtpServerWithADeterministicMessageId() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            new EmailSender(
                            new IntegrationConfig.Email(
                                    List.of("ops@example.org", "db@example.org"),
                                    "vigil@example.org",
                                    "127.0.0.1:" + smtp.getSmtp().getPort(),
                                    null,
                                    null,
                                    false,
                                    true),
                            TIMEOUT)
                    .send(message);

            MimeMessage[] received = smtp.getReceivedMessages();
            assertThat(received).hasSize(2);
            MimeMessage mail = received[0];
            assertThat(mail.getMessageID()).isEqualTo("<n-1@vigil.notifier>");
            assertThat(mail.getSubject()).isEqualTo("[FIRING:1] DiskFull {}");
            assertThat(mail.getHeader("X-Vigil-Group-Key")[0])
                    .isEqualTo("{}:{alertname=\"DiskFull\"}");
            assertThat(((String) mail.getContent()))
                    .contains("firing DiskFull {alertname=\"DiskFull\", instance=\"db-1\"")
                    .contains("resolved DiskFull")
                    .contains("summary: load of a");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void anUnreachableSmtpServerIsTransient() {
        EmailSender sender =
                new EmailSender(
                        new IntegrationConfig.Email(
                                List.of("ops@example.org"),
                                "vigil@example.org",
                                "127.0.0.1:1",
                                null,
                                null,
                                false,
                                true),
                        TIMEOUT);

        assertThatThrownBy(() -> sender.send(message))
                .hasMessageStartingWith("SMTP server 127.0.0.1:1 unreachable or failed")
                .satisfies(e -> assertThat(((DeliveryException) e).isTransient()).isTrue());
    }
}
