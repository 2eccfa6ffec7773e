package io.vigil.notifier.dispatch;

import io.vigil.notifier.routing.Route;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes alert events into aggregation groups and decides when each group notifies, following
 * Alertmanager's timings: a new group waits {@code group_wait}, then is looked at every {@code
 * group_interval} and notifies when it holds an event its receiver has not been told, or when
 * {@code repeat_interval} passed since the last notification of firing alerts.
 *
 * <pre>{@code
 * Dispatcher dispatcher = new Dispatcher(config.route(), muting, offsets);
 * dispatcher.add(event, new RecordPosition(partition, offset), clock.instant());
 * for (Flush flush : dispatcher.due(clock.instant())) {
 *     deliveries.submit(flush); // later, on this thread: dispatcher.completed(flush.id(), now)
 * }
 * }</pre>
 *
 * <p>Time is always passed in, never read, so tests drive it with a fixed clock. Not thread-safe:
 * the notifier's consumer thread owns it, and delivery threads report back through that thread.
 *
 * <p>Silenced and inhibited alerts are left out of notifications when a group flushes (so a silence
 * created during {@code group_wait} still counts), except a resolution of an alert the receiver was
 * told is firing: that one is always sent, so that no receiver keeps showing an alert as firing
 * because it resolved while silenced. PENDING events are never notified, and neither is the
 * RESOLVED that directly follows one (a pending episode that ended without firing).
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Route root;
    private final Muting muting;
    private final Settlements settlements;

    /** By receiver and group key. */
    private final Map<String, AggregationGroup> groups = new LinkedHashMap<>();

    private final Map<Long, InFlight> inFlight = new HashMap<>();

    /**
     * Alerts whose newest event is PENDING, by fingerprint: the sequence that a RESOLVED ending the
     * pending episode follows. As many as alerts are pending; each goes with the alert's next
     * event.
     */
    private final Map<String, Pending> pending = new HashMap<>();

    private record Pending(long sequence, int partition) {}

    private long lastFlushId;

    /** A flush being delivered: its group, and the records it settles when done. */
    private record InFlight(AggregationGroup group, Flush flush, List<RecordPosition> positions) {}

    public Dispatcher(Route root, Muting muting, Settlements settlements) {
        this.root = Objects.requireNonNull(root, "root");
        this.muting = Objects.requireNonNull(muting, "muting");
        this.settlements = Objects.requireNonNull(settlements, "settlements");
    }

    /**
     * Takes one event read at {@code position}: routes it and adds it to the groups of every route
     * that takes it, and tells the settlements how many groups now owe a notification for it.
     */
    public void add(AlertEvent event, RecordPosition position, Instant now) {
        if (event.getState() == AlertState.PENDING) {
            pending.put(
                    event.getFingerprint(), new Pending(event.getSequence(), position.partition()));
            settlements.track(position, 0);
            return;
        }
        Pending before = pending.remove(event.getFingerprint());
        if (event.getState() == AlertState.RESOLVED
                && before != null
                && event.getSequence() == before.sequence() + 1) {
            // The end of a pending episode that never fired: no replica ever notified it, so
            // there is nothing to resolve (a rule with for: going pending and back is common).
            settlements.track(position, 0);
            return;
        }
        Map<String, String> labels = AlertLabels.of(event);
        List<Route> routes = root.match(labels);
        List<AggregationGroup.Entry> joined = new ArrayList<>();
        for (Route route : routes) {
            AggregationGroup group = groupOf(route, labels, now);
            AggregationGroup.Entry entry = group.alerts.get(event.getFingerprint());
            if (entry == null) {
                entry = new AggregationGroup.Entry(event, position.partition());
                group.alerts.put(event.getFingerprint(), entry);
            } else if (event.getSequence() < entry.event.getSequence()) {
                // A replayed older transition: the newer one already speaks for the alert.
                continue;
            } else {
                entry.event = event;
            }
            entry.sawFiring |= event.getState() == AlertState.FIRING;
            joined.add(entry);
        }
        settlements.track(position, joined.size());
        joined.forEach(entry -> entry.positions.add(position));
    }

    /** The notifications due at {@code now}; each group's in-flight flush blocks its next one. */
    public List<Flush> due(Instant now) {
        List<Flush> flushes = new ArrayList<>();
        Iterator<AggregationGroup> iterator = groups.values().iterator();
        while (iterator.hasNext()) {
            AggregationGroup group = iterator.next();
            if (group.inFlight != 0 || now.isBefore(group.nextFlush)) {
                continue;
            }
            flush(group, now).ifPresent(flushes::add);
            if (group.alerts.isEmpty() && group.inFlight == 0) {
                iterator.remove();
            }
        }
        return flushes;
    }

    /**
     * A flush was delivered (or found delivered by another replica): the receiver now knows its
     * alerts, resolved alerts leave the group, and the records it carried are settled.
     */
    public void completed(long flushId, Instant now) {
        InFlight done = inFlight.remove(flushId);
        if (done == null) {
            return;
        }
        AggregationGroup group = done.group();
        group.inFlight = 0;
        group.lastSentAt = now;
        Set<String> sent = new LinkedHashSet<>();
        for (AlertEvent alert : done.flush().alerts()) {
            sent.add(alert.getEventId());
            String fingerprint = alert.getFingerprint();
            AggregationGroup.Entry entry = group.alerts.get(fingerprint);
            if (alert.getState() == AlertState.FIRING) {
                group.notifiedFiring.add(fingerprint);
                continue;
            }
            group.notifiedFiring.remove(fingerprint);
            if (entry != null && entry.event.getEventId().equals(alert.getEventId())) {
                // Resolved and told: the alert leaves the group, with any duplicate records.
                entry.positions.forEach(settlements::settle);
                group.alerts.remove(fingerprint);
            }
        }
        group.sentEventIds = sent;
        done.positions().forEach(settlements::settle);
        if (group.alerts.isEmpty() && groups.get(mapKey(group.route, group.key)) == group) {
            groups.remove(mapKey(group.route, group.key));
        }
    }

    /**
     * Forgets the alerts of partitions this replica no longer owns: another replica reads them from
     * the last committed offset and notifies what is still owed.
     */
    public void revoke(Set<Integer> partitions) {
        pending.values().removeIf(entry -> partitions.contains(entry.partition()));
        Iterator<AggregationGroup> iterator = groups.values().iterator();
        while (iterator.hasNext()) {
            AggregationGroup group = iterator.next();
            group.alerts.values().removeIf(entry -> partitions.contains(entry.partition));
            if (group.alerts.isEmpty() && group.inFlight == 0) {
                iterator.remove();
            }
        }
    }

    /** Number of groups, for metrics and tests. */
    public int groupCount() {
        return groups.size();
    }

    /** Number of flushes being delivered. */
    public int inFlightCount() {
        return inFlight.size();
    }

    private Optional<Flush> flush(AggregationGroup group, Instant now) {
        group.nextFlush = now.plus(group.route.timings().groupInterval());
        List<AggregationGroup.Entry> shown = new ArrayList<>();
        Iterator<AggregationGroup.Entry> entries = group.alerts.values().iterator();
        while (entries.hasNext()) {
            AggregationGroup.Entry entry = entries.next();
            String fingerprint = entry.event.getFingerprint();
            boolean firing = group.isFiring(entry);
            Optional<String> mutedBy = muting.mutedBy(AlertLabels.of(entry.event), now);
            // A resolution is muted only if the receiver surely never heard the alert fire: this
            // replica saw it fire and did not tell. One read after a takeover is sent, since the
            // dead replica may have told; a stray "resolved" beats an alert shown firing forever.
            boolean resolutionOwed =
                    !firing && (group.notifiedFiring.contains(fingerprint) || !entry.sawFiring);
            if (mutedBy.isPresent() && !resolutionOwed) {
                LOG.debug("Alert {} in group {} is muted by {}", fingerprint, group.key, mutedBy);
                // Nothing to send for these records now; if the mute ends while the alert
                // still fires, the next flush announces it.
                settleAll(entry);
                if (!firing) {
                    entries.remove();
                }
                continue;
            }
            shown.add(entry);
        }
        if (shown.isEmpty()) {
            return Optional.empty();
        }
        List<AlertEvent> alerts = shown.stream().map(entry -> entry.event).toList();
        Set<String> newIds = new LinkedHashSet<>();
        for (AlertEvent alert : alerts) {
            if (!group.sentEventIds.contains(alert.getEventId())) {
                newIds.add(alert.getEventId());
            }
        }
        boolean anyFiring = shown.stream().anyMatch(group::isFiring);
        boolean repeatDue =
                group.lastSentAt != null
                        && anyFiring
                        && !now.isBefore(
                                group.lastSentAt.plus(group.route.timings().repeatInterval()));
        if (newIds.isEmpty() && !repeatDue) {
            shown.forEach(this::settleAll);
            return Optional.empty();
        }
        Set<String> claimIds = newIds;
        if (newIds.isEmpty()) {
            // One claim per repeat interval: replicas racing for the same reminder share it.
            long interval = group.route.timings().repeatInterval().toMillis();
            claimIds = Set.of("repeat:" + now.toEpochMilli() / interval);
        }
        long id = ++lastFlushId;
        Flush flush =
                new Flush(
                        id,
                        group.route.receiver(),
                        group.key,
                        group.groupLabels,
                        alerts,
                        claimIds,
                        newIds.isEmpty(),
                        now);
        List<RecordPosition> positions = new ArrayList<>();
        for (AggregationGroup.Entry entry : shown) {
            positions.addAll(entry.positions);
            entry.positions.clear();
        }
        group.inFlight = id;
        inFlight.put(id, new InFlight(group, flush, positions));
        return Optional.of(flush);
    }

    private void settleAll(AggregationGroup.Entry entry) {
        entry.positions.forEach(settlements::settle);
        entry.positions.clear();
    }

    private AggregationGroup groupOf(Route route, Map<String, String> labels, Instant now) {
        String key = route.groupKey(labels);
        return groups.computeIfAbsent(
                mapKey(route, key),
                ignored -> new AggregationGroup(route, key, route.groupLabels(labels), now));
    }

    private static String mapKey(Route route, String groupKey) {
        return route.receiver() + "\u0000" + groupKey;
    }
}
