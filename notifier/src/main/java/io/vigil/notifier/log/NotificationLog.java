package io.vigil.notifier.log;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Records which alert events each integration was told, so that replicas of the notifier (and a
 * replica re-reading records after a crash) never announce an event twice.
 *
 * <p>Protocol per notification: {@link #claim} its events before delivering (atomically: either
 * this owner holds every still-undelivered event, or none), {@link #renew} the claim while
 * retrying, {@link #markDelivered} after the receiver accepted it. A claim whose owner died is
 * taken over once its lease ran out. Implementations throw unchecked exceptions on storage errors;
 * the caller retries.
 */
public interface NotificationLog {

    /** What a notification asks to claim. */
    record ClaimRequest(
            String integration,
            String groupKey,
            String notificationId,
            Map<String, String> fingerprintsByEventId,
            String owner,
            Instant now,
            Duration lease) {

        public ClaimRequest {
            fingerprintsByEventId = Map.copyOf(fingerprintsByEventId);
        }
    }

    /** A held claim: these events are this owner's to deliver until {@code leaseUntil}. */
    record Claim(
            String integration,
            String groupKey,
            String notificationId,
            Set<String> eventIds,
            String owner,
            Instant leaseUntil) {

        public Claim {
            eventIds = Set.copyOf(eventIds);
        }

        public Claim withLeaseUntil(Instant until) {
            return new Claim(integration, groupKey, notificationId, eventIds, owner, until);
        }
    }

    /** The answer to a claim. */
    sealed interface ClaimResult {}

    /** The still-undelivered events are claimed (possibly fewer than asked: the rest were told). */
    record Claimed(Claim claim) implements ClaimResult {}

    /** Every event was delivered already, by this replica or another. */
    record AlreadyDelivered() implements ClaimResult {}

    /** Another live owner holds some of the events; try again after {@code until}. */
    record Busy(String owner, Instant until) implements ClaimResult {}

    ClaimResult claim(ClaimRequest request);

    /**
     * Extends a claim's lease.
     *
     * @return the renewed claim, or null if the claim was lost (taken over, or delivered by another
     *     owner): the caller must not deliver
     */
    Claim renew(Claim claim, Instant now, Duration lease);

    /**
     * Records that the receiver accepted the notification.
     *
     * @return false if another owner had marked (some of) the events delivered already, i.e. the
     *     receiver got them twice
     */
    boolean markDelivered(Claim claim, Instant now);
}
