package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.schemas.BatchSample;
import io.vigil.schemas.Labels;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Instant FIVE_MINUTES_LATER = T0.plus(Duration.ofMinutes(5));

    @Test
    void placesHostsInTheHierarchy() {
        Fleet fleet = new Fleet(900, 2);

        assertThat(fleet.hosts().get(0).rack()).isEqualTo("dc1-c1-r1");
        assertThat(fleet.hosts().get(40).rack()).isEqualTo("dc1-c1-r2");
        assertThat(fleet.hosts().get(400).cluster()).isEqualTo("dc1-c2");
        assertThat(fleet.hosts().get(899).dc()).isEqualTo("dc1");
        assertThat(fleet.series()).hasSize(1_800);
        assertThat(fleet.series().stream().map(Fleet.Series::id).distinct()).hasSize(1_800);
    }

    @Test
    void reportsValuesAtTheResolutionOfTheRealExporter() {
        Workload workload =
                new Workload(new Fleet(3, 10), Duration.ofSeconds(10), 7, 0, Duration.ZERO);

        List<BatchSample> samples =
                workload.deliveries(T0, FIVE_MINUTES_LATER).stream()
                        .flatMap(d -> d.batch().getSamples().stream())
                        .toList();

        assertThat(samples).hasSize(3 * 10 * 30);
        for (BatchSample sample : samples) {
            double value = sample.getValue();
            String what = sample.getName() + " = " + value;
            switch (sample.getName()) {
                // As printed by the kernel: at most two decimals, and exactly the parsed double.
                case "node_load1" ->
                        assertThat(new BigDecimal(Double.toString(value)).scale())
                                .as(what)
                                .isLessThanOrEqualTo(2);
                case "node_memory_used_bytes" -> assertThat(value % 1024).as(what).isZero();
                case "node_processes_running", "node_power_watts" ->
                        assertThat(value).as(what).isEqualTo(Math.rint(value));
                case "node_temperature_celsius" ->
                        assertThat(new BigDecimal(Double.toString(value)).scale())
                                .as(what)
                                .isLessThanOrEqualTo(3);
                default -> assertThat(value).as(what).isFinite();
            }
        }
    }

    @Test
    void isReproducibleFromItsSeed() {
        Workload a =
                new Workload(
                        new Fleet(5, 3), Duration.ofSeconds(10), 7, 0.1, Duration.ofSeconds(4));
        Workload b =
                new Workload(
                        new Fleet(5, 3), Duration.ofSeconds(10), 7, 0.1, Duration.ofSeconds(4));

        assertThat(a.deliveries(T0, FIVE_MINUTES_LATER))
                .extracting(Workload.Delivery::deliverAt, Workload.Delivery::batch)
                .isEqualTo(
                        b.deliveries(T0, FIVE_MINUTES_LATER).stream()
                                .map(d -> tuple(d.deliverAt(), d.batch()))
                                .toList());
    }

    @Test
    void aHostsBatchHoldsEachOfItsSeriesOnceSharingTheHostsLabels() {
        // Twelve series a host: the last two repeat metrics for a device.
        Fleet fleet = new Fleet(3, 12);
        Workload workload = new Workload(fleet, Duration.ofSeconds(10), 7, 0, Duration.ZERO);
        Fleet.Host host = fleet.hosts().get(2);
        List<Fleet.Series> series = fleet.seriesOf(host);
        long tick = workload.tickAtOrAfter(T0);

        MetricBatch batch = workload.batch(host, tick);

        assertThat(batch.getLabels())
                .isEqualTo(
                        Map.of(
                                Labels.HOST, "host-000002",
                                Labels.DC, "dc1",
                                Labels.CLUSTER, "dc1-c1",
                                Labels.RACK, "dc1-c1-r1"));
        assertThat(batch.getTimestamp()).isEqualTo(T0.toEpochMilli());
        assertThat(batch.getSamples())
                .hasSize(12)
                .allSatisfy(s -> assertThat(s.getOffset()).isZero());
        assertThat(batch.getSamples().get(0).getLabels()).isEmpty();
        assertThat(batch.getSamples().get(11).getLabels()).isEqualTo(Map.of("device", "dev1"));
        // Read back sample by sample, the batch is the host's series, each with its own id.
        assertThat(MetricBatches.seriesIds(batch))
                .containsExactly(series.stream().mapToLong(Fleet.Series::id).toArray());
        for (int i = 0; i < series.size(); i++) {
            assertThat(MetricBatches.sample(batch, i))
                    .isEqualTo(workload.sample(series.get(i), tick));
        }
    }

    @Test
    void deliversEveryHostsBatchOnceWithSomeOutOfOrder() {
        Fleet fleet = new Fleet(20, 5);
        Workload workload =
                new Workload(fleet, Duration.ofSeconds(10), 1, 0.05, Duration.ofSeconds(25));

        List<Workload.Delivery> deliveries = workload.deliveries(T0, FIVE_MINUTES_LATER);

        // 20 hosts, 30 steps of 10 s.
        assertThat(deliveries).hasSize(20 * 30);
        assertThat(deliveries.stream().mapToInt(d -> d.batch().getSamples().size()).sum())
                .isEqualTo(100 * 30);
        Set<String> keys = new HashSet<>();
        deliveries.forEach(d -> keys.add(d.host().name() + "@" + d.timestamp()));
        assertThat(keys).hasSize(deliveries.size());
        long outOfOrder = 0;
        long maxSeen = Long.MIN_VALUE;
        for (Workload.Delivery delivery : deliveries) {
            if (delivery.timestamp() < maxSeen) {
                outOfOrder++;
            }
            maxSeen = Math.max(maxSeen, delivery.timestamp());
        }
        assertThat(outOfOrder).isPositive();
        assertThat(deliveries)
                .allSatisfy(
                        d -> {
                            assertThat(d.deliverAt() - d.timestamp()).isBetween(0L, 25_000L);
                            assertThat(d.batch().getLabels()).isEqualTo(d.host().labels());
                            assertThat(d.series()).isEqualTo(fleet.seriesOf(d.host()));
                        });
    }

    @Test
    void countersNeverDecrease() {
        Fleet fleet = new Fleet(1, 10);
        Workload workload = new Workload(fleet, Duration.ofSeconds(1), 3, 0, Duration.ZERO);
        Fleet.Series counter =
                fleet.series().stream()
                        .filter(s -> s.metric().kind() == Fleet.Kind.COUNTER)
                        .findFirst()
                        .orElseThrow();

        double previous = -1;
        for (long tick = 1_000_000; tick < 1_000_600; tick++) {
            double value = workload.value(counter, tick);
            assertThat(value).isGreaterThanOrEqualTo(previous);
            previous = value;
        }
    }

    @Test
    void stepMatchesTheRequestedRate() {
        Fleet fleet = new Fleet(100, 10);

        assertThat(FleetSimulator.stepFor(fleet, 1_000)).isEqualTo(Duration.ofSeconds(1));
        assertThat(FleetSimulator.stepFor(fleet, 100)).isEqualTo(Duration.ofSeconds(10));
    }
}
