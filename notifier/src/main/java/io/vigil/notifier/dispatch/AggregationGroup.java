package io.vigil.notifier.dispatch;

import io.vigil.notifier.routing.Route;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alerts of one route that share the values of its {@code group_by} labels, and what was last
 * told about them. Only the dispatcher's thread touches it.
 */
final class AggregationGroup {

    /** The latest event of one alert, and the records not yet settled that carried it. */
    static final class Entry {
        AlertEvent event;

        /** Every event of an alert is in one partition: the topic is keyed by fingerprint. */
        final int partition;

        final List<RecordPosition> positions = new ArrayList<>();

        /**
         * Whether this replica saw the alert fire. If not (it took the partition over and read only
         * the resolution), it cannot know whether the receiver was told it fires.
         */
        boolean sawFiring;

        Entry(AlertEvent event, int partition) {
            this.event = event;
            this.partition = partition;
        }
    }

    final Route route;
    final String key;
    final Map<String, String> groupLabels;

    /** By fingerprint, in arrival order, so that notifications list alerts stably. */
    final Map<String, Entry> alerts = new LinkedHashMap<>();

    /** Event ids of the last delivered notification: what the receiver has been told. */
    Set<String> sentEventIds = new HashSet<>();

    /** Fingerprints the receiver was told are firing and not yet told are resolved. */
    final Set<String> notifiedFiring = new HashSet<>();

    Instant nextFlush;
    Instant lastSentAt;

    /** The flush being delivered, 0 if none: a group has at most one in flight. */
    long inFlight;

    AggregationGroup(Route route, String key, Map<String, String> groupLabels, Instant now) {
        this.route = route;
        this.key = key;
        this.groupLabels = groupLabels;
        this.nextFlush = now.plus(route.timings().groupWait());
    }

    boolean isFiring(Entry entry) {
        return entry.event.getState() == AlertState.FIRING;
    }
}
