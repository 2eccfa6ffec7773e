package io.vigil.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.bench.SampleWriter;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.jobs.StackFixtures;
import io.vigil.jobs.alerting.functions.Alerts;
import io.vigil.schemas.Aggregation;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.Labels;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.Rule;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group-level rules end to end on an in-process Flink MiniCluster, with the real Kafka broker and
 * Cassandra node of the local stack: {@code avg by (rack) (cpu) > 90} for 3 s, written to {@code
 * vigil.rules} while the job runs, fires for the rack whose hosts are hot, not for the rack with
 * one hot and one idle host, and resolves once the hot rack cooled down; the alert carries the
 * rack's labels and no host's.
 */
@ExtendWith(SharedStackExtension.class)
class GroupRulesITCase {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final long SECOND = 1_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @BeforeAll
    static void prepare(LocalStack stack) throws Exception {
        StackFixtures.prepare(stack);
    }

    @Test
    void aRackAverageFiresForTheHotRackOnlyAndResolvesWhenItCools(LocalStack stack)
            throws Exception {
        // Names of this run only: other tests share the topics and the tables.
        String run = UUID.randomUUID().toString().substring(0, 8);
        long startedAt = System.currentTimeMillis();
        long t0 = startedAt - startedAt % SECOND;
        KafkaSettings kafka = StackFixtures.kafka(stack);
        Configuration options = StackFixtures.cassandraOptions(stack);
        options.set(AlertingOptions.GROUP_EVALUATION_INTERVAL, Duration.ofSeconds(1));

        JobClient job = AlertingRun.start(kafka, run, startedAt, options);
        try (AlertFeed feed = new AlertFeed(kafka, startedAt, run);
                RuleWriter rules = new RuleWriter(kafka);
                SampleWriter samples = new SampleWriter(stack.kafkaBootstrapServers())) {
            AlertingRun.awaitReady(run, t0, feed, rules, samples, WAIT);

            String metric = "it_rack_cpu_" + run;
            Rule rackCpu =
                    RuleWriter.rule(run, "rackcpu", metric)
                            .setGroupLevel(GroupLevel.RACK)
                            .setAggregation(Aggregation.AVG)
                            .setWindowMs(30 * SECOND)
                            .setThreshold(90)
                            .setResolveThreshold(80.0)
                            .setForMs(3 * SECOND)
                            .setLabels(Map.of("run", run, "where", "rack {{ $labels.rack }}"))
                            .setAnnotations(
                                    Map.of(
                                            "summary",
                                            "CPU of rack {{ $labels.rack }} at {{ $value }}%"))
                            .build();
            rules.write(rackCpu);
            Thread.sleep(1_000);

            // r1: both hosts hot. r2: one hot, one idle, 52.5 on average.
            Hosts hosts = new Hosts(samples, metric, t0);
            Predicate<AlertEvent> ofRule = e -> e.getRuleId().equals(rackCpu.getId());
            hosts.sendUntil(
                    feed,
                    ofRule.and(e -> e.getState() == AlertState.FIRING),
                    Map.of("h1", 95.0, "h2", 97.0, "h3", 95.0, "h4", 10.0));
            // r1 cools down, below the resolve threshold.
            hosts.sendUntil(
                    feed,
                    ofRule.and(e -> e.getState() == AlertState.RESOLVED),
                    Map.of("h1", 40.0, "h2", 45.0, "h3", 95.0, "h4", 10.0));
            // Anything late or duplicated would arrive now.
            Thread.sleep(3_000);
            feed.poll(Duration.ofSeconds(1));

            List<AlertEvent> events =
                    feed.events().stream().filter(ofRule).collect(Collectors.toList());
            assertThat(events)
                    .extracting(
                            e ->
                                    e.getState()
                                            + "#"
                                            + e.getSequence()
                                            + " "
                                            + e.getLabels().get(Labels.RACK))
                    .containsExactly("PENDING#1 r1", "FIRING#2 r1", "RESOLVED#3 r1");
            AlertEvent firing = events.get(1);
            assertThat(firing.getValue()).isEqualTo(96.0);
            assertThat(firing.getLabels())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    Alerts.ALERTNAME,
                                    rackCpu.getName(),
                                    Labels.DC,
                                    "dc1",
                                    Labels.CLUSTER,
                                    "dc1-c1",
                                    Labels.RACK,
                                    "r1",
                                    "run",
                                    run,
                                    "where",
                                    "rack r1"));
            assertThat(firing.getAnnotations()).containsEntry("summary", "CPU of rack r1 at 96%");
            // Held for 3 s of event time: the samples' clock, not the evaluator's.
            assertThat(firing.getEventTime() - firing.getStartsAt()).isGreaterThanOrEqualTo(3_000);
            assertThat(events.get(2).getValue()).isLessThan(80.0);
            assertThat(events)
                    .extracting(AlertEvent::getFingerprint)
                    .containsOnly(Alerts.fingerprint(rackCpu.getId(), firing.getLabels()));
            assertThat(events.stream().map(AlertEvent::getEventId).distinct().count())
                    .as("distinct event ids")
                    .isEqualTo(events.size());
            for (AlertEvent event : events) {
                assertThat(event.getEventId())
                        .isEqualTo(
                                Alerts.eventId(
                                        event.getFingerprint(),
                                        event.getStartsAt(),
                                        event.getSequence()));
            }
        } finally {
            job.cancel().get();
        }
    }

    /** Four hosts in two racks of one cluster, reporting once a second of event time. */
    private static final class Hosts {
        private static final Map<String, String> RACKS =
                Map.of("h1", "r1", "h2", "r1", "h3", "r2", "h4", "r2");

        private final SampleWriter samples;
        private final String metric;
        private long time;

        Hosts(SampleWriter samples, String metric, long t0) {
            this.samples = samples;
            this.metric = metric;
            this.time = t0;
        }

        /** Sends a round of {@code values} by host every half second until an alert arrives. */
        void sendUntil(AlertFeed feed, Predicate<AlertEvent> wanted, Map<String, Double> values)
                throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!feed.has(wanted)) {
                assertThat(System.nanoTime())
                        .as("waiting for an alert; seen so far: %s", feed.events())
                        .isLessThan(deadline);
                for (Map.Entry<String, Double> host : values.entrySet()) {
                    Map<String, String> labels =
                            Map.of(
                                    Labels.HOST,
                                    host.getKey(),
                                    Labels.DC,
                                    "dc1",
                                    Labels.CLUSTER,
                                    "dc1-c1",
                                    Labels.RACK,
                                    RACKS.get(host.getKey()));
                    samples.send(
                            MetricBatches.builder(labels, time)
                                    .add(metric, host.getValue())
                                    .build());
                }
                samples.flush();
                time += SECOND;
                feed.poll(Duration.ofMillis(500));
            }
        }
    }
}
