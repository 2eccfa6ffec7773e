package io.vigil.notifier.log;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The notification log's protocol in memory, for tests of the delivery workers: same answers as the
 * Cassandra log, with one lock standing in for the lightweight transactions.
 */
public final class InMemoryNotificationLog implements NotificationLog {

    private record Row(String state, String owner, Instant leaseUntil) {}

    private final Map<String, Row> rows = new HashMap<>();

    @Override
    public synchronized ClaimResult claim(ClaimRequest request) {
        Set<String> claimed = new HashSet<>();
        for (String eventId : request.fingerprintsByEventId().keySet()) {
            Row row = rows.get(key(request.integration(), request.groupKey(), eventId));
            if (row == null) {
                claimed.add(eventId);
            } else if (row.state().equals("DELIVERED")) {
                continue;
            } else if (!row.owner().equals(request.owner())
                    && row.leaseUntil().isAfter(request.now())) {
                return new Busy(row.owner(), row.leaseUntil());
            } else {
                claimed.add(eventId);
            }
        }
        if (claimed.isEmpty()) {
            return new AlreadyDelivered();
        }
        Instant until = request.now().plus(request.lease());
        claimed.forEach(
                eventId ->
                        rows.put(
                                key(request.integration(), request.groupKey(), eventId),
                                new Row("CLAIMED", request.owner(), until)));
        return new Claimed(
                new Claim(
                        request.integration(),
                        request.groupKey(),
                        request.notificationId(),
                        claimed,
                        request.owner(),
                        until));
    }

    @Override
    public synchronized Claim renew(Claim claim, Instant now, Duration lease) {
        for (String eventId : claim.eventIds()) {
            Row row = rows.get(key(claim.integration(), claim.groupKey(), eventId));
            if (row == null
                    || !row.state().equals("CLAIMED")
                    || !row.owner().equals(claim.owner())) {
                return null;
            }
        }
        Instant until = now.plus(lease);
        for (String eventId : claim.eventIds()) {
            rows.put(
                    key(claim.integration(), claim.groupKey(), eventId),
                    new Row("CLAIMED", claim.owner(), until));
        }
        return claim.withLeaseUntil(until);
    }

    @Override
    public synchronized boolean markDelivered(Claim claim, Instant now) {
        boolean clean = true;
        for (String eventId : claim.eventIds()) {
            String key = key(claim.integration(), claim.groupKey(), eventId);
            Row row = rows.get(key);
            clean &= row != null && row.state().equals("CLAIMED");
            rows.put(key, new Row("DELIVERED", claim.owner(), now));
        }
        return clean;
    }

    /** Whether the log holds a delivered row for this event. */
    public synchronized boolean isDelivered(String integration, String groupKey, String eventId) {
        Row row = rows.get(key(integration, groupKey, eventId));
        return row != null && row.state().equals("DELIVERED");
    }

    private static String key(String integration, String groupKey, String eventId) {
        return integration + "\u0000" + groupKey + "\u0000" + eventId;
    }
}
