package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Delays double per retry, stay within [ceiling / 2, ceiling) and never exceed the maximum. */
class ExponentialBackoffTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(10);
    private static final double NO_JITTER = 0.0;
    private static final double MOST_JITTER = 0.999_999;

    private final ExponentialBackoff backoff = new ExponentialBackoff(INITIAL, MAX);

    @Test
    void ceilingDoublesWithEachRetry() {
        assertThat(backoff.delay(1, NO_JITTER)).isEqualTo(Duration.ofMillis(50));
        assertThat(backoff.delay(2, NO_JITTER)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(3, NO_JITTER)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(7, NO_JITTER)).isEqualTo(Duration.ofMillis(3_200));
    }

    @Test
    void jitterSpreadsDelaysOverTheUpperHalfOfTheCeiling() {
        assertThat(backoff.delay(1, 0.5)).isEqualTo(Duration.ofMillis(75));
        assertThat(backoff.delay(1, MOST_JITTER))
                .isGreaterThan(Duration.ofMillis(99))
                .isLessThan(INITIAL);
    }

    @Test
    void neverExceedsTheMaximumEvenAfterManyRetries() {
        assertThat(backoff.delay(8, MOST_JITTER)).isLessThanOrEqualTo(MAX);
        assertThat(backoff.delay(9, NO_JITTER)).isEqualTo(MAX.dividedBy(2));
        // Late retries must not overflow into negative or tiny delays.
        assertThat(backoff.delay(64, NO_JITTER)).isEqualTo(MAX.dividedBy(2));
        assertThat(backoff.delay(Integer.MAX_VALUE, MOST_JITTER))
                .isLessThanOrEqualTo(MAX)
                .isGreaterThanOrEqualTo(MAX.dividedBy(2));
    }

    @Test
    void randomDelaysStayWithinBounds() {
        for (int retry = 1; retry <= 20; retry++) {
            Duration ceiling = backoff.delay(retry, MOST_JITTER);
            for (int draw = 0; draw < 100; draw++) {
                assertThat(backoff.delay(retry))
                        .isGreaterThanOrEqualTo(backoff.delay(retry, NO_JITTER))
                        .isLessThanOrEqualTo(ceiling);
            }
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> backoff.delay(0, NO_JITTER))
                .hasMessage("retry numbers start at 1, got 0");
        assertThatThrownBy(
                        () -> new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("max backoff PT1S must not be shorter than the initial backoff PT2S");
    }
}
