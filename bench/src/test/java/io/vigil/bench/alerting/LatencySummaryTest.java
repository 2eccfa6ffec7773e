package io.vigil.bench.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void printsNearestRankPercentilesAndTheMaximum() {
        LatencySummary summary =
                new LatencySummary(
                        LongStream.rangeClosed(1, 200).map(i -> i * 10).boxed().toList());

        assertThat(summary.percentilesText()).isEqualTo("1 000 / 1 800 / 1 980 / 2 000 ms");
        assertThat(summary.p99AtMost(1_980)).isTrue();
        assertThat(summary.p99AtMost(1_979)).isFalse();
    }

    @Test
    void withoutLatenciesThereIsNothingToMeet() {
        LatencySummary none = new LatencySummary(List.of());

        assertThat(none.percentilesText()).isEqualTo("none");
        assertThat(none.p99AtMost(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void theTargetIsNotMetWhenAnIncidentIsMissingHoweverFastTheRest() {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-a", "host-b"));
        latencies.injected("host-a", 0);
        latencies.injected("host-b", 0);
        latencies.seen("topic", "host-a", 10);

        assertThat(AlertLatencyReport.target(latencies.stage("topic"))).contains("not met");
        assertThat(AlertLatencyReport.counted(latencies.stage("topic")))
                .isEqualTo("**1 of 2 (1 missing, 0 duplicates, 0 unexpected)**");

        latencies.seen("topic", "host-b", 900);
        assertThat(AlertLatencyReport.target(latencies.stage("topic"))).isEqualTo("**met**");
    }
}
