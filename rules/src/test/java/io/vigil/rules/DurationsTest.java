package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsEveryUnitAndCombinations() {
        assertThat(Durations.parseMillis("500ms")).contains(500L);
        assertThat(Durations.parseMillis("30s")).contains(30_000L);
        assertThat(Durations.parseMillis("5m")).contains(300_000L);
        assertThat(Durations.parseMillis("1h")).contains(3_600_000L);
        assertThat(Durations.parseMillis("7d")).contains(604_800_000L);
        assertThat(Durations.parseMillis("1h30m")).contains(5_400_000L);
        assertThat(Durations.parseMillis("1d2h3m4s5ms")).contains(93_784_005L);
        assertThat(Durations.parseMillis("0")).contains(0L);
        assertThat(Durations.parseMillis("0s")).contains(0L);
    }

    @Test
    void refusesWhatIsNotADuration() {
        assertThat(Durations.parseMillis("5x")).isEmpty();
        assertThat(Durations.parseMillis("5")).isEmpty();
        assertThat(Durations.parseMillis("")).isEmpty();
        assertThat(Durations.parseMillis("m")).isEmpty();
        assertThat(Durations.parseMillis("5m1h")).isEmpty();
        assertThat(Durations.parseMillis("-5m")).isEmpty();
        assertThat(Durations.parseMillis("1.5h")).isEmpty();
        assertThat(Durations.parseMillis("99999999999999999999s")).isEmpty();
    }

    @Test
    void formatsTheShortestTextThatReadsBack() {
        assertThat(Durations.format(0)).isEqualTo("0s");
        assertThat(Durations.format(300_000)).isEqualTo("5m");
        assertThat(Durations.format(5_400_000)).isEqualTo("1h30m");
        assertThat(Durations.format(1_500)).isEqualTo("1s500ms");
        for (long millis : new long[] {1, 999, 60_000, 86_400_000L * 30 + 1}) {
            assertThat(Durations.parseMillis(Durations.format(millis))).contains(millis);
        }
    }
}
