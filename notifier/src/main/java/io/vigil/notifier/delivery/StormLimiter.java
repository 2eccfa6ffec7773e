package io.vigil.notifier.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * Storm control for one integration: at most {@code maxPerSecond} messages in any window of one
 * second. Time is passed in, so tests drive it.
 */
final class StormLimiter {

    private static final Duration WINDOW = Duration.ofSeconds(1);

    private final int maxPerSecond;
    private final ArrayDeque<Instant> sent = new ArrayDeque<>();

    StormLimiter(int maxPerSecond) {
        this.maxPerSecond = maxPerSecond;
    }

    /** How long to wait from {@code now} before the next message may go; zero if at once. */
    Duration waitBeforeNext(Instant now) {
        evict(now);
        if (sent.size() < maxPerSecond) {
            return Duration.ZERO;
        }
        return Duration.between(now, sent.peekFirst().plus(WINDOW));
    }

    /** Counts a message sent at {@code now}. */
    void record(Instant now) {
        evict(now);
        sent.addLast(now);
    }

    private void evict(Instant now) {
        while (!sent.isEmpty() && !sent.peekFirst().plus(WINDOW).isAfter(now)) {
            sent.removeFirst();
        }
    }
}
