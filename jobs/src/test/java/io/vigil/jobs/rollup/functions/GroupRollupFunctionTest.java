package io.vigil.jobs.rollup.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.rollup.records.GroupRollup;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.RollupAccumulator;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class GroupRollupFunctionTest {
    private static final long T0 = 1_764_064_800_000L;
    private static final long ONE_MINUTE = 60_000;

    private static GroupRollup series(long id, String rack, String metric, double... values) {
        RollupAccumulator accumulator = new RollupAccumulator();
        Map<String, String> labels =
                Map.of("host", "h" + id, "rack", rack, "cluster", "c1", "dc", "fra1");
        for (int i = 0; i < values.length; i++) {
            accumulator.add(metric, labels, values[i], T0 + i);
        }
        Rollup rollup = accumulator.toRollup(id, T0);
        if (metric.endsWith("_total")) {
            rollup.increase = values[values.length - 1] - values[0];
            rollup.rate = rollup.increase / 60;
        }
        return GroupRollup.ofSeries(rollup);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, GroupRollup, GroupRollup> harness(
            GroupRollupFunction.Level level) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, GroupRollup, GroupRollup> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new GroupRollupFunction(level, ONE_MINUTE, 0)),
                        level.key(),
                        Types.STRING);
        harness.open();
        return harness;
    }

    @Test
    void aggregatesARackFromItsSeriesAndCleansUp() throws Exception {
        try (var racks = harness(GroupRollupFunction.Level.RACK)) {
            racks.processElement(series(1, "r1", "load", 1, 3), T0 + ONE_MINUTE - 1);
            racks.processElement(series(2, "r1", "load", 10), T0 + ONE_MINUTE - 1);
            racks.processElement(series(3, "r2", "load", 7), T0 + ONE_MINUTE - 1);

            racks.processWatermark(T0 + ONE_MINUTE - 1);

            assertThat(racks.extractOutputValues())
                    .extracting(g -> g.group, g -> g.series, g -> g.count, g -> g.total, g -> g.max)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("fra1/c1/r1", 2L, 3L, 12.0, 10.0),
                            org.assertj.core.groups.Tuple.tuple("fra1/c1/r2", 1L, 1L, 7.0, 7.0));
            assertThat(racks.numKeyedStateEntries()).isZero();
            assertThat(racks.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void mergesRacksIntoTheirClusterWithCounterRatesAddingUp() throws Exception {
        GroupRollup r1 = series(1, "r1", "rx_bytes_total", 0, 600);
        GroupRollup r2 = series(2, "r2", "rx_bytes_total", 0, 1200);
        try (var racks = harness(GroupRollupFunction.Level.RACK);
                var clusters = harness(GroupRollupFunction.Level.CLUSTER)) {
            racks.processElement(r1, T0 + ONE_MINUTE - 1);
            racks.processElement(r2, T0 + ONE_MINUTE - 1);
            racks.processWatermark(T0 + ONE_MINUTE - 1);
            for (GroupRollup rack : racks.extractOutputValues()) {
                clusters.processElement(rack, T0 + ONE_MINUTE - 1);
            }
            clusters.processWatermark(T0 + ONE_MINUTE - 1);

            GroupRollup cluster = clusters.extractOutputValues().get(0);
            assertThat(cluster.level).isEqualTo("cluster");
            assertThat(cluster.group).isEqualTo("fra1/c1");
            assertThat(cluster.series).isEqualTo(2);
            assertThat(cluster.rate).isEqualTo(30.0);
            // Values 0, 0, 600, 1200: the p99 of lower rank floor(0.99 * 3) = 2 is 600.
            assertThat(cluster.p99)
                    .isCloseTo(600, org.assertj.core.data.Percentage.withPercentage(1));
        }
    }
}
