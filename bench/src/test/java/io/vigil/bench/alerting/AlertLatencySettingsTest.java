package io.vigil.bench.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.bench.Incident;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertLatencySettingsTest {

    private static AlertLatencySettings settings(int hosts, int incidents) {
        return new AlertLatencySettings(
                hosts,
                10,
                hosts * 10,
                incidents,
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                Duration.ofSeconds(60),
                2,
                200,
                Duration.ZERO);
    }

    @Test
    void plansOneIncidentPerHostSpreadOverTheFleetAfterTheWarmUp() {
        List<Incident> plan = settings(5000, 100).plan();

        assertThat(plan).hasSize(100);
        assertThat(plan.stream().map(Incident::host).distinct()).hasSize(100);
        assertThat(plan.get(0).host()).isEqualTo("host-000000");
        assertThat(plan.get(1).host()).isEqualTo("host-000050");
        assertThat(plan.get(0).after()).isEqualTo(Duration.ofSeconds(60));
        assertThat(plan.get(99).after()).isEqualTo(Duration.ofSeconds(60 + 99 * 3));
        assertThat(plan).allMatch(i -> i.kind() == Incident.Kind.CPU_HIGH);
        assertThat(settings(5000, 100).total()).isEqualTo(Duration.ofSeconds(60 + 99 * 3 + 60));
    }

    @Test
    void moreIncidentsThanHostsWouldMakeAlertsAmbiguous() {
        assertThatThrownBy(() -> settings(10, 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("11 incidents need as many hosts");
    }
}
