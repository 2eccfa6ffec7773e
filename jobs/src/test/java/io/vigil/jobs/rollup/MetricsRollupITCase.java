package io.vigil.jobs.rollup;

import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * metrics-rollup end to end on an in-process Flink MiniCluster, with the real Kafka broker and
 * Cassandra node of the local stack: every rollup row equals the independently computed truth,
 * {@code samples_raw} gives back every raw sample exactly once and bit for bit, bad records become
 * dead letters while the job goes on, a runaway metric is held to its cardinality limit, and the
 * host inventory lists every host in its place.
 */
@ExtendWith(SharedStackExtension.class)
class MetricsRollupITCase {
    private static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @BeforeAll
    static void prepare(LocalStack stack) throws Exception {
        RollupScenario.prepare(stack);
    }

    @Test
    void rollsUpAKnownWorkloadExactlyAndDeadLettersBadRecords(LocalStack stack) throws Exception {
        RollupScenario scenario = new RollupScenario(stack, T0, 42);
        long startedAt = System.currentTimeMillis();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(2_000);
        Configuration options = RollupScenario.cardinalityLimited();
        new MetricsRollupJob(
                        KafkaConnectors.source(
                                RollupScenario.kafka(stack),
                                Topics.METRIC_SAMPLES,
                                "it-minicluster",
                                // Only this test's records: other tests share the topic.
                                OffsetsInitializer.timestamp(startedAt)),
                        RollupScenario.sinks(stack),
                        options)
                .build(env);
        JobClient job = env.executeAsync("metrics-rollup on a MiniCluster");
        try {
            scenario.write();

            scenario.assertRollupsEqualTruth(Duration.ofMinutes(3));
            scenario.assertGroupRollupsEqualTruth(Duration.ofMinutes(1));
            scenario.assertSeriesRegistryFindsEverySeries(Duration.ofMinutes(1));
            scenario.assertRawChunksEqualTruth(Duration.ofMinutes(1));
            scenario.assertRejectsAreDeadLettered(Duration.ofMinutes(1));
            scenario.assertCardinalityLimitHeld(Duration.ofMinutes(1));
            scenario.assertHostsEqualFleet(Duration.ofMinutes(1));
        } finally {
            job.cancel().get();
        }
    }
}
