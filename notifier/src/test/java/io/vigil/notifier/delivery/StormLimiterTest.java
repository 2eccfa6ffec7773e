package io.vigil.notifier.delivery;

import static io.vigil.notifier.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** At most N messages in any one-second window. */
class StormLimiterTest {

    @Test
    void theNextSlotOpensOneSecondAfterTheOldestSend() {
        StormLimiter limiter = new StormLimiter(2);
        limiter.record(T0);
        limiter.record(T0.plusMillis(300));

        assertThat(limiter.waitBeforeNext(T0.plusMillis(500))).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.waitBeforeNext(T0.plusMillis(1000))).isZero();
        limiter.record(T0.plusMillis(1000));
        assertThat(limiter.waitBeforeNext(T0.plusMillis(1100))).isEqualTo(Duration.ofMillis(200));
    }
}
