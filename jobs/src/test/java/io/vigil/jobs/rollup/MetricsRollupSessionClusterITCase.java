package io.vigil.jobs.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.StackFixtures;
import io.vigil.stack.FlinkRestClient;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shaded job jar, unchanged, on the multi-process Flink session cluster of the local stack:
 * uploaded and started through Flink's REST API exactly as a data engineer would, it writes the
 * exact rollups of a known workload and dead-letters bad records.
 */
@ExtendWith(SharedStackExtension.class)
class MetricsRollupSessionClusterITCase {
    private static final Instant T0 = Instant.parse("2026-03-03T08:00:00Z");

    @Test
    void jobJarRunsUnchangedOnTheSessionCluster(LocalStack stack) throws Exception {
        RollupScenario.prepare(stack);
        stack.startFlink(1);
        FlinkRestClient flink = stack.flinkSession();
        RollupScenario scenario = new RollupScenario(stack, T0, 7);
        long startedAt = System.currentTimeMillis();

        String jarId = flink.uploadJar(StackFixtures.shadedJobJar());
        String jobId =
                flink.runJar(
                        jarId,
                        MetricsRollupJobMain.class.getName(),
                        Stream.concat(
                                        stack.jobArguments().stream(),
                                        Stream.of(
                                                "--vigil.rollup.group-id",
                                                "it-session-cluster",
                                                // Only this test's records: other tests share the
                                                // topic.
                                                "--vigil.rollup.starting-timestamp",
                                                Long.toString(startedAt)))
                                .toList(),
                        2);
        try {
            flink.waitForJobState(jobId, "RUNNING", Duration.ofMinutes(1));

            scenario.write();

            scenario.assertRollupsEqualTruth(Duration.ofMinutes(3));
            scenario.assertGroupRollupsEqualTruth(Duration.ofMinutes(1));
            scenario.assertRawChunksEqualTruth(Duration.ofMinutes(1));
            scenario.assertRejectsAreDeadLettered(Duration.ofMinutes(1));
            assertThat(flink.jobState(jobId)).isEqualTo("RUNNING");
        } finally {
            flink.cancel(jobId);
        }
    }
}
