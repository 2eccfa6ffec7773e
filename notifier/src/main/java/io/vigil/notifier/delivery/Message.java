package io.vigil.notifier.delivery;

import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.util.List;
import java.util.Map;

/**
 * What one delivery sends to one integration, before a sender renders it in its receiver's format.
 *
 * @param notificationId deterministic id of the notification (integration, group, announced
 *     events): the email's Message-ID and the HTTP {@code Idempotency-Key}, so that a receiver can
 *     drop the rare duplicate a crash between delivery and logging causes
 * @param receiver the receiver's name
 * @param groupKey the group's key, or for a storm summary the keys of the groups it summarises
 * @param groupLabels the group labels (empty for a summary)
 * @param alerts the alerts to show
 * @param summarised how many notifications storm control folded into this one; 1 for a normal one
 * @param sender the notifier replica sending it, for the receiver's logs
 */
public record Message(
        String notificationId,
        String receiver,
        String groupKey,
        Map<String, String> groupLabels,
        List<AlertEvent> alerts,
        int summarised,
        String sender) {

    public Message {
        groupLabels = Map.copyOf(groupLabels);
        alerts = List.copyOf(alerts);
    }

    /** Whether storm control folded several notifications into this one. */
    public boolean isSummary() {
        return summarised > 1;
    }

    /** {@code firing} if any alert fires, else {@code resolved}, as in Alertmanager. */
    public String status() {
        return alerts.stream().anyMatch(alert -> alert.getState() == AlertState.FIRING)
                ? "firing"
                : "resolved";
    }

    /** Number of firing alerts. */
    public long firingCount() {
        return alerts.stream().filter(alert -> alert.getState() == AlertState.FIRING).count();
    }
}
