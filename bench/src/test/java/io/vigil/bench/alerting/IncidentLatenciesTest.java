package io.vigil.bench.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncidentLatenciesTest {
    private static final long T0 = 1_764_000_000_000L;
    private static final String WEBHOOK = "webhook";

    @Test
    void measuresEachIncidentFromItsStartToTheFirstAlertForItsHost() {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-a", "host-b"));
        latencies.injected("host-a", T0);
        latencies.injected("host-b", T0 + 3_000);

        latencies.seen(WEBHOOK, "host-b", T0 + 3_250);
        latencies.seen(WEBHOOK, "host-a", T0 + 400);

        IncidentLatencies.Stage stage = latencies.stage(WEBHOOK);
        assertThat(stage.latenciesMillis()).containsExactly(400L, 250L);
        assertThat(stage.latencyByHost()).containsEntry("host-a", 400L);
        assertThat(stage.clean()).isTrue();
    }

    @Test
    void anIncidentWithoutAlertIsMissingNotDropped() {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-a", "host-b", "host-c"));
        latencies.injected("host-a", T0);
        latencies.injected("host-b", T0);
        // host-c was never injected: it cannot count as measured either.
        latencies.seen(WEBHOOK, "host-a", T0 + 100);
        latencies.seen(WEBHOOK, "host-c", T0 + 100);

        IncidentLatencies.Stage stage = latencies.stage(WEBHOOK);
        assertThat(stage.latenciesMillis()).containsExactly(100L);
        assertThat(stage.missing()).isEqualTo(2);
        assertThat(stage.clean()).isFalse();
    }

    @Test
    void aSecondAlertForAHostIsADuplicateAndOnlyTheFirstCounts() {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-a"));
        latencies.injected("host-a", T0);
        latencies.seen(WEBHOOK, "host-a", T0 + 100);
        latencies.seen(WEBHOOK, "host-a", T0 + 5_000);

        IncidentLatencies.Stage stage = latencies.stage(WEBHOOK);
        assertThat(stage.latenciesMillis()).containsExactly(100L);
        assertThat(stage.duplicates()).isEqualTo(1);
        assertThat(stage.clean()).isFalse();
    }

    @Test
    void alertsForOtherHostsOrBeforeTheIncidentAreUnexpected() {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-a", "host-b"));
        latencies.injected("host-a", T0);
        latencies.injected("host-b", T0);
        latencies.seen(WEBHOOK, "host-z", T0 + 100);
        latencies.seen(WEBHOOK, null, T0 + 100);
        latencies.seen(WEBHOOK, "host-a", T0 - 1);
        latencies.seen(WEBHOOK, "host-b", T0 + 20);

        IncidentLatencies.Stage stage = latencies.stage(WEBHOOK);
        assertThat(stage.latenciesMillis()).containsExactly(20L);
        assertThat(stage.unexpected()).isEqualTo(3);
        assertThat(stage.missing()).isZero();
    }

    @Test
    void stagesAreCountedApart() {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-a"));
        latencies.injected("host-a", T0);
        latencies.seen("topic", "host-a", T0 + 50);

        assertThat(latencies.stage("topic").latenciesMillis()).containsExactly(50L);
        assertThat(latencies.stage(WEBHOOK).missing()).isEqualTo(1);
        assertThat(latencies.seenCount("topic")).isEqualTo(1);
        assertThat(latencies.seenCount(WEBHOOK)).isZero();
    }

    @Test
    void incidentsNeedHostsOfTheirOwn() {
        assertThatThrownBy(() -> new IncidentLatencies(List.of("host-a", "host-a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ambiguous");
    }

    @TempDir Path dir;

    @Test
    void writesOneLinePerIncidentWithItsLatencies() throws Exception {
        IncidentLatencies latencies = new IncidentLatencies(List.of("host-a", "host-b", "host-c"));
        latencies.injected("host-a", 1_000);
        latencies.injected("host-b", 2_000);
        latencies.seen("topic", "host-a", 1_090);
        latencies.seen("webhook", "host-a", 1_150);
        latencies.seen("topic", "host-b", 3_200);

        Path file = dir.resolve("incidents.tsv");
        latencies.write(file, List.of("topic", "webhook"));

        assertThat(Files.readAllLines(file))
                .containsExactly(
                        "host\tt0\ttopic\twebhook",
                        "host-a\t1000\t90\t150",
                        "host-b\t2000\t1200\t",
                        "host-c\t\t\t");
    }
}
