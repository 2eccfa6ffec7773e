package io.vigil.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.bench.SampleWriter;
import io.vigil.jobs.StackFixtures;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.Rule;
import io.vigil.stack.FlinkRestClient;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shaded job jar on the multi-process Flink session cluster of the local stack: the jar's
 * default main class is the rollup job, so alerting is started by naming its entry class, as {@code
 * flink run -c} or the REST API's {@code entryClass} do. A rule written while it runs fires on the
 * next breaching sample.
 */
@ExtendWith(SharedStackExtension.class)
class AlertingSessionClusterITCase {
    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void alertingRunsFromTheShadedJarByItsEntryClass(LocalStack stack) throws Exception {
        StackFixtures.prepare(stack);
        FlinkRestClient flink = stack.startFlink(1);
        String run = UUID.randomUUID().toString().substring(0, 8);
        long startedAt = System.currentTimeMillis();

        String jarId = flink.uploadJar(StackFixtures.shadedJobJar());
        String jobId =
                flink.runJar(
                        jarId,
                        AlertingJobMain.class.getName(),
                        Stream.concat(
                                        stack.jobArguments().stream(),
                                        Stream.of(
                                                "--vigil.alerting.group-id",
                                                "it-session-" + run,
                                                "--vigil.alerting.starting-timestamp",
                                                Long.toString(startedAt)))
                                .toList(),
                        1);
        try (AlertFeed feed = new AlertFeed(StackFixtures.kafka(stack), startedAt, run);
                RuleWriter rules = new RuleWriter(StackFixtures.kafka(stack));
                SampleWriter samples = new SampleWriter(stack.kafkaBootstrapServers())) {
            flink.waitForJobState(jobId, "RUNNING", Duration.ofMinutes(1));
            Rule disk = RuleWriter.rule(run, "disk", "it_disk_" + run).setThreshold(0.9).build();
            rules.write(disk);
            // Sources start after RUNNING; keep sending until the rule and a sample meet.
            long timestamp = startedAt - startedAt % 1000;
            while (!feed.has(e -> e.getRuleId().equals(disk.getId()))) {
                samples.send(
                        MetricBatches.builder(Map.of("host", "h9"), timestamp)
                                .add("it_disk_" + run, 0.95)
                                .build());
                samples.flush();
                timestamp += 1_000;
                feed.poll(Duration.ofMillis(500));
                assertThat(System.currentTimeMillis() - startedAt)
                        .as("no alert; job exceptions: %s", flink.exceptions(jobId))
                        .isLessThan(WAIT.toMillis());
            }
            assertThat(feed.events())
                    .extracting(AlertEvent::getState)
                    .containsExactly(AlertState.FIRING);
            assertThat(flink.jobState(jobId)).isEqualTo("RUNNING");
        } finally {
            flink.cancel(jobId);
        }
    }
}
