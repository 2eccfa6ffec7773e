package io.vigil.notifier.delivery;

import io.vigil.notifier.dispatch.AlertLabels;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alertmanager's JSON shapes: the webhook payload (version 4) that tools built for Alertmanager
 * receive, and the alerts of {@code POST /api/v2/alerts} with which we forward to an Alertmanager.
 */
public final class AlertmanagerPayloads {

    /** Alertmanager's "not resolved" end time. */
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private AlertmanagerPayloads() {}

    /**
     * The webhook payload of a message.
     *
     * @param maxAlerts the most alerts to list, 0 for all; the rest count in {@code
     *     truncatedAlerts}
     * @param externalUrl the notifier's own URL
     */
    public static Map<String, Object> webhook(Message message, int maxAlerts, String externalUrl) {
        List<AlertEvent> alerts = message.alerts();
        int shown = maxAlerts > 0 ? Math.min(maxAlerts, alerts.size()) : alerts.size();
        List<Map<String, Object>> rendered = new ArrayList<>();
        for (AlertEvent alert : alerts.subList(0, shown)) {
            rendered.add(webhookAlert(alert, externalUrl));
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("version", "4");
        payload.put("groupKey", message.groupKey());
        payload.put("truncatedAlerts", alerts.size() - shown);
        payload.put("status", message.status());
        payload.put("receiver", message.receiver());
        payload.put("groupLabels", new TreeMap<>(message.groupLabels()));
        payload.put("commonLabels", common(alerts, true));
        payload.put("commonAnnotations", common(alerts, false));
        payload.put("externalURL", externalUrl);
        payload.put("alerts", rendered);
        return payload;
    }

    /** The body of {@code POST /api/v2/alerts}: one postable alert per alert. */
    public static List<Map<String, Object>> postableAlerts(Message message, String externalUrl) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (AlertEvent alert : message.alerts()) {
            Map<String, Object> postable = new LinkedHashMap<>();
            postable.put("labels", AlertLabels.of(alert));
            postable.put("annotations", new TreeMap<>(alert.getAnnotations()));
            postable.put("startsAt", Instant.ofEpochMilli(alert.getStartsAt()).toString());
            // A firing alert has no end: Alertmanager resolves it after its resolve_timeout
            // unless it is sent again, which repeat_interval does.
            if (alert.getState() == AlertState.RESOLVED) {
                postable.put("endsAt", endsAt(alert));
            }
            postable.put("generatorURL", generatorUrl(alert, externalUrl));
            alerts.add(postable);
        }
        return alerts;
    }

    private static Map<String, Object> webhookAlert(AlertEvent alert, String externalUrl) {
        Map<String, Object> rendered = new LinkedHashMap<>();
        rendered.put("status", alert.getState() == AlertState.FIRING ? "firing" : "resolved");
        rendered.put("labels", AlertLabels.of(alert));
        rendered.put("annotations", new TreeMap<>(alert.getAnnotations()));
        rendered.put("startsAt", Instant.ofEpochMilli(alert.getStartsAt()).toString());
        rendered.put("endsAt", alert.getState() == AlertState.RESOLVED ? endsAt(alert) : ZERO_TIME);
        rendered.put("generatorURL", generatorUrl(alert, externalUrl));
        rendered.put("fingerprint", alert.getFingerprint());
        return rendered;
    }

    private static String endsAt(AlertEvent alert) {
        long end = alert.getEndsAt() != null ? alert.getEndsAt() : alert.getEventTime();
        return Instant.ofEpochMilli(end).toString();
    }

    private static String generatorUrl(AlertEvent alert, String externalUrl) {
        return externalUrl.isEmpty() ? "" : externalUrl + "/rules/" + alert.getRuleId();
    }

    /** The labels (or annotations) every alert has with the same value. */
    private static Map<String, String> common(List<AlertEvent> alerts, boolean labels) {
        Map<String, String> common = null;
        for (AlertEvent alert : alerts) {
            Map<String, String> values =
                    labels ? AlertLabels.of(alert) : new TreeMap<>(alert.getAnnotations());
            if (common == null) {
                common = new TreeMap<>(values);
            } else {
                common.entrySet().removeIf(e -> !e.getValue().equals(values.get(e.getKey())));
            }
        }
        return common == null ? Map.of() : common;
    }
}
