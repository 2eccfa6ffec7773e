package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.schemas.MetricSample;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentTest {
    private static final Fleet.Host HOST_3 = new Fleet.Host("host-000003", "dc1", "dc1-c1", "r1");
    private static final Fleet.Host HOST_4 = new Fleet.Host("host-000004", "dc1", "dc1-c1", "r1");
    private static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    private static final Duration BEFORE = Duration.ofSeconds(59);
    private static final Duration DURING = Duration.ofMinutes(5);
    private static final Duration AFTER = Duration.ofMinutes(11);

    private static MetricSample sample(String metric, double value) {
        return new MetricSample(metric, Map.of("host", "host-000003"), value, 1_000L);
    }

    @Test
    void readsKindHostStartAndLength() {
        Incident incident = Incident.parse("cpu-high:host-000003:PT1M:PT10M");

        assertThat(incident)
                .isEqualTo(
                        new Incident(
                                Incident.Kind.CPU_HIGH,
                                "host-000003",
                                ONE_MINUTE,
                                Duration.ofMinutes(10)));
        assertThat(Incident.parse("host-down:host-000007:PT0S:PT30S").kind())
                .isEqualTo(Incident.Kind.HOST_DOWN);
    }

    @Test
    void namesWhatIsWrongInABadSpecification() {
        assertThatThrownBy(() -> Incident.parse("cpu-high:host-000003:PT1M"))
                .hasMessageContaining("kind:host:after:lasting");
        assertThatThrownBy(() -> Incident.parse("disk-full:host-000003:PT1M:PT1M"))
                .hasMessageContaining("unknown kind 'disk-full'");
        assertThatThrownBy(() -> Incident.parse("cpu-high::PT1M:PT1M"))
                .hasMessageContaining("host is missing");
        assertThatThrownBy(() -> Incident.parse("cpu-high:host-000003:1m:PT1M"))
                .hasMessageContaining("after '1m'");
        assertThatThrownBy(() -> Incident.parse("cpu-high:host-000003:PT1M:PT0S"))
                .hasMessageContaining("'lasting' must be positive");
    }

    @Test
    void highCpuChangesOnlyTheHostsCpuWhileItLasts() {
        Incident incident = Incident.parse("cpu-high:host-000003:PT1M:PT10M");
        MetricSample cpu = sample("node_cpu_usage_ratio", 0.3);
        MetricSample load = sample("node_load1", 1.5);

        assertThat(incident.apply(cpu, HOST_3, DURING))
                .hasValueSatisfying(s -> assertThat(s.getValue()).isEqualTo(Incident.HIGH_CPU));
        assertThat(incident.apply(load, HOST_3, DURING)).contains(load);
        assertThat(incident.apply(cpu, HOST_4, DURING)).contains(cpu);
        assertThat(incident.apply(cpu, HOST_3, BEFORE)).contains(cpu);
        assertThat(incident.apply(cpu, HOST_3, AFTER)).contains(cpu);
        assertThat(incident.apply(cpu, HOST_3, ONE_MINUTE))
                .as("starts at 'after' exactly")
                .hasValueSatisfying(s -> assertThat(s.getValue()).isEqualTo(Incident.HIGH_CPU));
    }

    @Test
    void aHostDownSendsNothingWhileItLasts() {
        Incident incident = Incident.parse("host-down:host-000003:PT1M:PT10M");
        MetricSample cpu = sample("node_cpu_usage_ratio", 0.3);

        assertThat(incident.apply(cpu, HOST_3, DURING)).isEmpty();
        assertThat(incident.apply(cpu, HOST_4, DURING)).contains(cpu);
        assertThat(incident.apply(cpu, HOST_3, ONE_MINUTE.plus(Duration.ofMinutes(10))))
                .as("over at after + lasting")
                .contains(cpu);
    }
}
