package io.vigil.connectors.cassandra;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before each retry of a failed write: the ceiling doubles from the initial
 * backoff up to the maximum, and the delay is drawn uniformly from the upper half of that ceiling
 * ("equal jitter").
 *
 * <p>Jitter matters because a Cassandra hiccup fails hundreds of in-flight writes at the same
 * instant; without it they would all come back at the same instant too. Keeping the lower half
 * fixed still guarantees that delays grow, so a struggling node really gets relief.
 *
 * <p>Plain Java (no Flink classes), so that processes outside Flink, such as the notifier retrying
 * an unreachable receiver, share the same policy.
 *
 * <pre>{@code
 * ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(10));
 * Thread.sleep(backoff.delay(attempt).toMillis());
 * }</pre>
 */
public final class ExponentialBackoff {

    private final long initialNanos;
    private final long maxNanos;

    public ExponentialBackoff(Duration initial, Duration max) {
        checkArgument(initial.compareTo(Duration.ZERO) > 0, "initial backoff must be positive");
        checkArgument(
                max.compareTo(initial) >= 0,
                "max backoff %s must not be shorter than the initial backoff %s",
                max,
                initial);
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** The delay before retry number {@code retry} (1 for the first retry), with random jitter. */
    public Duration delay(int retry) {
        return delay(retry, ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The delay before retry number {@code retry} for a given jitter draw, so tests can pin it.
     *
     * @param retry 1 for the first retry
     * @param jitter a number in [0, 1): 0 gives half the ceiling, values near 1 the whole ceiling
     */
    public Duration delay(int retry, double jitter) {
        checkArgument(retry >= 1, "retry numbers start at 1, got %s", retry);
        checkArgument(jitter >= 0 && jitter < 1, "jitter must be in [0, 1), got %s", jitter);
        long ceiling = ceiling(retry);
        long half = ceiling / 2;
        return Duration.ofNanos(ceiling - half + (long) (jitter * half));
    }

    /** initial * 2^(retry - 1), capped at the maximum without overflowing on late retries. */
    private long ceiling(int retry) {
        int doublings = retry - 1;
        if (doublings >= Long.numberOfLeadingZeros(initialNanos) - 1) {
            return maxNanos;
        }
        return Math.min(maxNanos, initialNanos << doublings);
    }

    private static void checkArgument(boolean condition, String template, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(template, args));
        }
    }
}
