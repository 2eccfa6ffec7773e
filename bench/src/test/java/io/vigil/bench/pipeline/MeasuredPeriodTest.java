package io.vigil.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MeasuredPeriodTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:17Z");

    @Test
    void startsAtTheFirstWholeMinuteAfterTheWarmUpAndLastsWholeMinutes() {
        MeasuredPeriod period =
                MeasuredPeriod.after(T0, Duration.ofSeconds(60), Duration.ofSeconds(150));

        assertThat(period.start()).isEqualTo(Instant.parse("2026-11-25T10:02:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2026-11-25T10:05:00Z"));
        assertThat(period.seconds()).isEqualTo(180);
    }

    @Test
    void keepsAStartThatIsAWholeMinuteAlready() {
        MeasuredPeriod period =
                MeasuredPeriod.after(
                        Instant.parse("2026-11-25T10:00:00Z"),
                        Duration.ofMinutes(1),
                        Duration.ofSeconds(60));

        assertThat(period.start()).isEqualTo(Instant.parse("2026-11-25T10:01:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2026-11-25T10:02:00Z"));
    }
}
