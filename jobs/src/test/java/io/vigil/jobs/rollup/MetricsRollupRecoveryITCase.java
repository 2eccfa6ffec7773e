package io.vigil.jobs.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactness under failure: the source throws once, mid-stream, after the first completed
 * checkpoint. Flink restarts the job from that checkpoint (Kafka offsets and open windows), the
 * records after it are read again, and still every rollup row equals the independently computed
 * truth: nothing lost, nothing counted twice; and every raw sample is stored exactly once, as the
 * replayed chunks overwrite the rows they wrote before.
 */
@ExtendWith(SharedStackExtension.class)
class MetricsRollupRecoveryITCase {
    private static final Instant T0 = Instant.parse("2026-03-04T08:00:00Z");

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
    void recoversFromAFailureWithoutLosingOrDoubleCountingSamples(
            LocalStack stack, @TempDir Path markers) throws Exception {
        RollupScenario scenario = new RollupScenario(stack, T0, 99);
        long startedAt = System.currentTimeMillis();

        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(restarts);
        env.setParallelism(2);
        env.enableCheckpointing(1_000);
        new MetricsRollupJob(
                        new FailOnceSource<>(
                                KafkaConnectors.source(
                                        RollupScenario.kafka(stack),
                                        Topics.METRIC_SAMPLES,
                                        "it-recovery",
                                        OffsetsInitializer.timestamp(startedAt)),
                                markers),
                        RollupScenario.sinks(stack),
                        new Configuration())
                .build(env);
        JobClient job = env.executeAsync("metrics-rollup with an injected failure");
        try {
            // The first half is read and checkpointed before the rest arrives, so the failure
            // strikes in the middle of the workload with windows open in state.
            scenario.write(() -> awaitFile(FailOnceSource.checkpointedMarker(markers)));

            scenario.assertRollupsEqualTruth(Duration.ofMinutes(3));
            scenario.assertRawChunksEqualTruth(Duration.ofMinutes(1));
            assertThat(FailOnceSource.failedMarker(markers))
                    .as("the injected failure happened")
                    .exists();
            scenario.assertRejectsAreDeadLettered(Duration.ofMinutes(1));
        } finally {
            job.cancel().get();
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoint completed within a minute");
            }
            Thread.sleep(100);
        }
    }
}
