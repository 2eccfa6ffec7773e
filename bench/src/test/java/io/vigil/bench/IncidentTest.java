package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.schemas.BatchSample;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentTest {
    private static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    private static final Duration BEFORE = Duration.ofSeconds(59);
    private static final Duration DURING = Duration.ofMinutes(5);
    private static final Duration AFTER = Duration.ofMinutes(11);
    private static final long T0 = 1_000L;

    /** Five hosts of 12 series each: the CPU ratio is the first; the eleventh, of a device. */
    private static final Fleet FLEET = new Fleet(5, 12);

    private static final Fleet.Host HOST_3 = FLEET.hosts().get(3);
    private static final Fleet.Host HOST_4 = FLEET.hosts().get(4);
    private static final Fleet.Series HOST_3_CPU = FLEET.seriesOf(HOST_3).get(0);
    private static final Fleet.Series HOST_3_LOAD = FLEET.seriesOf(HOST_3).get(2);
    private static final Fleet.Series HOST_4_CPU = FLEET.seriesOf(HOST_4).get(0);

    /** A batch of a host as its agent sends it: the CPU ratio, the load and a device's CPU. */
    private static MetricBatch batchOf(Fleet.Host host) {
        return MetricBatches.builder(host.labels(), T0)
                .add(Incident.CPU_METRIC, 0.3)
                .add("node_load1", 1.5)
                .add(Incident.CPU_METRIC, Map.of("device", "dev1"), 0.25)
                .build();
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
    void highCpuChangesOnlyTheHostsCpuSamplesOfItsBatchWhileItLasts() {
        Incident incident = Incident.parse("cpu-high:host-000003:PT1M:PT10M");
        MetricBatch batch = batchOf(HOST_3);

        MetricBatch during = incident.apply(batch, HOST_3, DURING).orElseThrow();

        assertThat(during.getLabels()).isEqualTo(batch.getLabels());
        assertThat(during.getTimestamp()).isEqualTo(T0);
        assertThat(during.getSamples())
                .extracting(BatchSample::getName, BatchSample::getValue)
                .containsExactly(
                        tuple(Incident.CPU_METRIC, Incident.HIGH_CPU),
                        tuple("node_load1", 1.5),
                        tuple(Incident.CPU_METRIC, Incident.HIGH_CPU));
        assertThat(during.getSamples().get(2).getLabels()).isEqualTo(Map.of("device", "dev1"));
        // The batch that was sent is not changed under the writer's feet.
        assertThat(batch.getSamples().get(0).getValue()).isEqualTo(0.3);
        assertThat(incident.apply(batchOf(HOST_4), HOST_4, DURING))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(batchOf(HOST_4)));
        assertThat(incident.apply(batch, HOST_3, BEFORE)).containsSame(batch);
        assertThat(incident.apply(batch, HOST_3, AFTER)).containsSame(batch);
        assertThat(incident.apply(batch, HOST_3, ONE_MINUTE))
                .as("starts at 'after' exactly")
                .hasValueSatisfying(
                        b ->
                                assertThat(b.getSamples().get(0).getValue())
                                        .isEqualTo(Incident.HIGH_CPU));
    }

    @Test
    void highCpuLeavesABatchWithoutACpuSampleAsItIs() {
        Incident incident = Incident.parse("cpu-high:host-000003:PT1M:PT10M");
        MetricBatch noCpu =
                MetricBatches.builder(HOST_3.labels(), T0).add("node_load1", 1.5).build();

        assertThat(incident.apply(noCpu, HOST_3, DURING)).containsSame(noCpu);
    }

    @Test
    void aHostDownSendsNoBatchWhileItLasts() {
        Incident incident = Incident.parse("host-down:host-000003:PT1M:PT10M");
        MetricBatch batch = batchOf(HOST_3);

        assertThat(incident.apply(batch, HOST_3, DURING)).isEmpty();
        assertThat(incident.apply(batchOf(HOST_4), HOST_4, DURING)).isPresent();
        assertThat(incident.apply(batch, HOST_3, ONE_MINUTE.plus(Duration.ofMinutes(10))))
                .as("over at after + lasting")
                .containsSame(batch);
    }

    /** The exposition applies incidents per series; it must decide as the writers do. */
    @Test
    void changesASeriesValueAsItChangesTheBatch() {
        Incident cpu = Incident.parse("cpu-high:host-000003:PT1M:PT10M");
        Incident down = Incident.parse("host-down:host-000003:PT1M:PT10M");

        assertThat(cpu.apply(HOST_3_CPU, 0.3, DURING)).hasValue(Incident.HIGH_CPU);
        assertThat(cpu.apply(HOST_3_LOAD, 1.5, DURING)).hasValue(1.5);
        assertThat(cpu.apply(HOST_4_CPU, 0.3, DURING)).hasValue(0.3);
        assertThat(cpu.apply(HOST_3_CPU, 0.3, BEFORE)).hasValue(0.3);
        assertThat(cpu.affects(HOST_3_CPU, DURING)).isTrue();
        assertThat(cpu.affects(HOST_3_LOAD, DURING)).isFalse();
        assertThat(down.apply(HOST_3_LOAD, 1.5, DURING)).isEmpty();
        assertThat(down.affects(HOST_3_LOAD, DURING)).isTrue();
        assertThat(down.apply(HOST_3_LOAD, 1.5, AFTER)).hasValue(1.5);
    }
}
