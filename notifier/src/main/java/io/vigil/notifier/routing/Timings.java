package io.vigil.notifier.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * When a group's notifications go out, as in Alertmanager.
 *
 * @param groupWait how long a new group waits for more alerts before its first notification
 * @param groupInterval how long after a notification the group waits before it announces new or
 *     resolved alerts
 * @param repeatInterval how long after a notification the same firing alerts are announced again
 */
public record Timings(Duration groupWait, Duration groupInterval, Duration repeatInterval) {

    /** Alertmanager's defaults: 30 s, 5 min, 4 h. */
    public static final Timings DEFAULT =
            new Timings(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4));

    public Timings {
        Objects.requireNonNull(groupWait, "groupWait");
        Objects.requireNonNull(groupInterval, "groupInterval");
        Objects.requireNonNull(repeatInterval, "repeatInterval");
        if (groupWait.isNegative()
                || groupInterval.isNegative()
                || groupInterval.isZero()
                || repeatInterval.isNegative()
                || repeatInterval.isZero()) {
            throw new IllegalArgumentException(
                    String.format(
                            "group_wait (%s) must not be negative, group_interval (%s) and"
                                    + " repeat_interval (%s) must be positive",
                            groupWait, groupInterval, repeatInterval));
        }
    }
}
