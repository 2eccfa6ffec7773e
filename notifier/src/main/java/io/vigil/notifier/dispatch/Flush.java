package io.vigil.notifier.dispatch;

import io.vigil.schemas.AlertEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A notification a group owes its receiver: the alerts to show and which of their events it
 * announces for the first time.
 *
 * @param id the dispatcher's handle, to report completion with
 * @param receiver the receiver's name
 * @param groupKey the group's identity (route path and group labels)
 * @param groupLabels the group labels
 * @param alerts every alert of the group to show, firing and newly resolved, as in Alertmanager
 * @param claimIds what the notification log must claim: the event ids announced for the first time,
 *     or for a repeat one synthetic id per repeat interval
 * @param repeat whether this re-announces alerts that were notified already
 * @param at when the flush was decided
 */
public record Flush(
        long id,
        String receiver,
        String groupKey,
        Map<String, String> groupLabels,
        List<AlertEvent> alerts,
        Set<String> claimIds,
        boolean repeat,
        Instant at) {

    public Flush {
        groupLabels = Map.copyOf(groupLabels);
        alerts = List.copyOf(alerts);
        claimIds = Set.copyOf(claimIds);
    }
}
