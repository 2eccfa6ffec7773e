package io.vigil.notifier.delivery;

import io.vigil.notifier.config.IntegrationConfig;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The integrations that speak JSON over HTTP: webhook, Slack and Alertmanager. */
final class HttpSenders {

    /** Slack shows at most this many alerts in one message; more are counted. */
    private static final int SLACK_MAX_LISTED = 20;

    private HttpSenders() {}

    /** Alertmanager's webhook payload, POSTed to the configured URL. */
    static Sender webhook(IntegrationConfig.Webhook config, JsonPoster poster, String externalUrl) {
        return message ->
                poster.post(
                        config.url(),
                        AlertmanagerPayloads.webhook(message, config.maxAlerts(), externalUrl),
                        message);
    }

    /** Forwarding to an Alertmanager, which then notifies by its own configuration. */
    static Sender alertmanager(
            IntegrationConfig.Alertmanager config, JsonPoster poster, String externalUrl) {
        URI endpoint = config.url().resolve(withSlash(config.url()) + "api/v2/alerts");
        return message ->
                poster.post(
                        endpoint,
                        AlertmanagerPayloads.postableAlerts(message, externalUrl),
                        message);
    }

    /** A Slack incoming-webhook message: a title line and one attachment per state. */
    static Sender slack(IntegrationConfig.Slack config, JsonPoster poster) {
        return message -> poster.post(config.apiUrl(), slackBody(config, message), message);
    }

    static Map<String, Object> slackBody(IntegrationConfig.Slack config, Message message) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (config.channel() != null) {
            body.put("channel", config.channel());
        }
        body.put("username", "vigil");
        body.put("text", Texts.subject(message));
        List<Map<String, Object>> attachments = new ArrayList<>();
        for (AlertState state : List.of(AlertState.FIRING, AlertState.RESOLVED)) {
            List<AlertEvent> alerts =
                    message.alerts().stream().filter(a -> a.getState() == state).toList();
            if (alerts.isEmpty()) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            alerts.stream()
                    .limit(SLACK_MAX_LISTED)
                    .forEach(alert -> text.append(Texts.line(alert)).append('\n'));
            if (alerts.size() > SLACK_MAX_LISTED) {
                text.append(String.format("... and %s more%n", alerts.size() - SLACK_MAX_LISTED));
            }
            Map<String, Object> attachment = new LinkedHashMap<>();
            attachment.put("color", state == AlertState.FIRING ? "danger" : "good");
            attachment.put(
                    "title", String.format("%s: %s", state.name().toLowerCase(), alerts.size()));
            attachment.put("text", text.toString().strip());
            attachment.put("fallback", Texts.subject(message));
            attachments.add(attachment);
        }
        body.put("attachments", attachments);
        return body;
    }

    private static String withSlash(URI base) {
        String path = base.getPath() == null ? "" : base.getPath();
        return path.endsWith("/") ? path : path + "/";
    }
}
