package io.vigil.notifier.delivery;

import io.vigil.notifier.dispatch.AlertLabels;
import io.vigil.notifier.routing.Route;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** The human-readable text of notifications: subjects and one line per alert. */
final class Texts {

    private Texts() {}

    /**
     * {@code [FIRING:2] DiskFull {team="db"}}, or for a storm summary {@code [STORM] 37
     * notifications summarised: 120 alerts, 95 firing}.
     */
    static String subject(Message message) {
        if (message.isSummary()) {
            return String.format(
                    "[STORM] %s notifications summarised: %s alerts, %s firing",
                    message.summarised(), message.alerts().size(), message.firingCount());
        }
        String status =
                message.firingCount() > 0
                        ? "FIRING:" + message.firingCount()
                        : "RESOLVED:" + message.alerts().size();
        Map<String, String> groupLabels = new TreeMap<>(message.groupLabels());
        String name = groupLabels.getOrDefault(AlertLabels.ALERTNAME, "");
        groupLabels.remove(AlertLabels.ALERTNAME);
        return String.format("[%s] %s %s", status, name, Route.render(groupLabels)).strip();
    }

    /** {@code firing DiskFull {host="db-1", ...} since 2026-...: summary (value 0.97)}. */
    static String line(AlertEvent alert) {
        String state = alert.getState() == AlertState.FIRING ? "firing" : "resolved";
        String summary = alert.getAnnotations().getOrDefault("summary", "");
        return String.format(
                "%s %s %s since %s%s (value %s)",
                state,
                alert.getRuleId(),
                Route.render(AlertLabels.of(alert)),
                Instant.ofEpochMilli(alert.getStartsAt()),
                summary.isEmpty() ? "" : ": " + summary,
                alert.getValue());
    }

    /** The plain-text body of an email. */
    static String body(Message message) {
        StringBuilder body = new StringBuilder(subject(message)).append("\n\n");
        for (AlertEvent alert : message.alerts()) {
            body.append(line(alert)).append('\n');
            alert.getAnnotations().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(
                            annotation ->
                                    body.append("    ")
                                            .append(annotation.getKey())
                                            .append(": ")
                                            .append(annotation.getValue())
                                            .append('\n'));
        }
        body.append("\nGroup: ").append(message.groupKey()).append('\n');
        body.append("Notification: ").append(message.notificationId()).append('\n');
        return body.toString();
    }
}
