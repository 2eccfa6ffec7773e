package io.vigil.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.bench.SampleWriter;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.jobs.StackFixtures;
import io.vigil.jobs.alerting.functions.Alerts;
import io.vigil.jobs.alerting.functions.FlapGate;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
 * alerting end to end on an in-process Flink MiniCluster, with the real Kafka broker and Cassandra
 * node of the local stack. Rules are written to {@code vigil.rules} while the job runs, as the rule
 * store would; the test then holds the job to the exact transitions on {@code vigil.alerts} and in
 * {@code alert_history} and {@code alerts_by_day}: a threshold rule with {@code for} and
 * hysteresis, its deletion by a tombstone, a crash loop and a flapping alert found by CEP.
 *
 * <p>Samples arrive as producers send them: batches of a host with several series (the cpu of two
 * cores, one of them quiet), and per-sample records of a producer not yet upgraded to batches (the
 * crash loop), which the topic reads as batches of one.
 */
@ExtendWith(SharedStackExtension.class)
class AlertingJobITCase {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Duration STABLE_FOR = Duration.ofSeconds(5);
    private static final long TEN_SECONDS = 10_000;

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
    void rulesAppliedWhileRunningFireAndCrashLoopsAndFlappingAreFound(LocalStack stack)
            throws Exception {
        // Names of this run only: other tests share the topics and the tables.
        String run = UUID.randomUUID().toString().substring(0, 8);
        long startedAt = System.currentTimeMillis();
        // Event time: whole seconds from now; samples may run up to a few minutes ahead of the
        // wall clock, well within the validator's 10 minutes.
        long t0 = startedAt - startedAt % 1000;
        KafkaSettings kafka = StackFixtures.kafka(stack);

        Configuration options = StackFixtures.cassandraOptions(stack);
        options.set(AlertingOptions.FLAPPING_CYCLES, 3);
        options.set(AlertingOptions.FLAPPING_WINDOW, Duration.ofMinutes(2));
        options.set(AlertingOptions.FLAPPING_STABLE_FOR, STABLE_FOR);
        JobClient job = AlertingRun.start(kafka, run, startedAt, options);
        try (AlertFeed feed = new AlertFeed(kafka, startedAt, run);
                RuleWriter rules = new RuleWriter(kafka);
                SampleWriter samples = new SampleWriter(stack.kafkaBootstrapServers())) {
            // The job is up once a rule reaches it and a sample fires it.
            Rule warm = AlertingRun.awaitReady(run, t0, feed, rules, samples, WAIT);

            // Crash loop first: its alert resolves after window_ms of quiet, wall clock.
            Rule crash =
                    RuleWriter.rule(run, "crash", "it_up_" + run)
                            .setKind(RuleKind.CRASH_LOOP)
                            .setOccurrences(3)
                            .setWindowMs(30_000)
                            .build();
            rules.write(crash);
            Thread.sleep(1_000);
            Map<String, String> nginx = Map.of("host", "h1", "process", "nginx");
            double[] up = {1, 0, 1, 0, 1, 0};
            for (int i = 0; i < up.length; i++) {
                samples.sendLegacy(new MetricSample("it_up_" + run, nginx, up[i], t0 + i * 5_000L));
            }
            samples.flush();

            // Threshold with for and hysteresis, applied while the job runs: it takes effect
            // within a second, at the next breaching sample.
            Rule cpu =
                    RuleWriter.rule(run, "cpu", "it_cpu_" + run)
                            .setThreshold(90)
                            .setResolveThreshold(80.0)
                            .setForMs(20_000)
                            .setAnnotations(
                                    Map.of("summary", "{{ $labels.host }} at {{ $value }}%"))
                            .build();
            rules.write(cpu);
            Thread.sleep(1_000);
            String cpuMetric = "it_cpu_" + run;
            samples.send(cores(cpuMetric, 85.0, t0));
            samples.send(cores(cpuMetric, 95.0, t0 + TEN_SECONDS));
            samples.flush();
            feed.await(e -> e.getRuleId().equals(cpu.getId()), WAIT);
            // Pending at 10 s, firing at 30 s (20 s held), 85 keeps it firing (above 80), 79
            // resolves it.
            double[] cpuValues = {96, 97, 85, 79};
            for (int i = 0; i < cpuValues.length; i++) {
                samples.send(cores(cpuMetric, cpuValues[i], t0 + (i + 2) * TEN_SECONDS));
            }
            samples.flush();
            feed.await(
                    e -> e.getRuleId().equals(cpu.getId()) && e.getState() == AlertState.RESOLVED,
                    WAIT);
            // Deleted by a tombstone: breaching samples afterwards raise nothing.
            rules.delete(cpu.getId());
            Thread.sleep(1_500);
            samples.send(cores(cpuMetric, 99.0, t0 + 6 * TEN_SECONDS));
            samples.send(cores(cpuMetric, 99.0, t0 + 9 * TEN_SECONDS));
            samples.flush();

            // Flapping: three fire/resolve cycles make one flapping alert; later transitions are
            // held until the alert is stable, then its state (firing) is published.
            Rule flap = RuleWriter.rule(run, "flap", "it_flap_" + run).setThreshold(90).build();
            rules.write(flap);
            Thread.sleep(1_000);
            Map<String, String> h2 = Map.of("host", "h2");
            double[] flapping = {95, 50, 95, 50, 95, 50, 95, 50, 95};
            for (int i = 0; i < 6; i++) {
                samples.send(
                        MetricBatches.builder(h2, t0 + i * TEN_SECONDS)
                                .add("it_flap_" + run, flapping[i])
                                .build());
            }
            samples.flush();
            feed.await(e -> e.getLabels().containsKey(FlapGate.FLAPPING_LABEL), WAIT);
            for (int i = 6; i < flapping.length; i++) {
                samples.send(
                        MetricBatches.builder(h2, t0 + i * TEN_SECONDS)
                                .add("it_flap_" + run, flapping[i])
                                .build());
            }
            samples.flush();
            feed.await(
                    e ->
                            e.getLabels().containsKey(FlapGate.FLAPPING_LABEL)
                                    && e.getState() == AlertState.RESOLVED,
                    WAIT);
            feed.await(
                    e -> e.getRuleId().equals(crash.getId()) && e.getState() == AlertState.RESOLVED,
                    WAIT);
            // Anything late or duplicated would arrive now.
            Thread.sleep(3_000);
            feed.poll(Duration.ofSeconds(1));

            List<AlertEvent> published = feed.events();
            assertNoDuplicates(published);

            List<AlertEvent> warmEvents = of(published, warm);
            assertThat(warmEvents)
                    .extracting(AlertEvent::getState)
                    .containsExactly(AlertState.FIRING);

            List<AlertEvent> cpuEvents = of(published, cpu);
            assertThat(cpuEvents)
                    .extracting(e -> e.getState() + "#" + e.getSequence() + "=" + e.getValue())
                    .containsExactly("PENDING#1=95.0", "FIRING#2=97.0", "RESOLVED#3=79.0");
            assertThat(cpuEvents)
                    .extracting(AlertEvent::getStartsAt)
                    .containsOnly(t0 + TEN_SECONDS);
            assertThat(cpuEvents.get(1).getEventTime()).isEqualTo(t0 + 3 * TEN_SECONDS);
            assertThat(cpuEvents.get(1).getLabels())
                    .containsEntry("host", "h1")
                    .containsEntry("cpu", "0")
                    .containsEntry(Alerts.ALERTNAME, cpu.getName());
            assertThat(cpuEvents.get(1).getAnnotations()).containsEntry("summary", "h1 at 97%");
            assertDeterministicIds(cpuEvents);

            List<AlertEvent> crashEvents = of(published, crash);
            assertThat(crashEvents)
                    .extracting(e -> e.getState() + "#" + e.getSequence() + "=" + e.getValue())
                    .containsExactly("FIRING#1=3.0", "RESOLVED#2=3.0");
            assertThat(crashEvents.get(0).getStartsAt()).isEqualTo(t0 + 25_000);
            assertThat(crashEvents.get(0).getLabels()).containsEntry("process", "nginx");
            assertDeterministicIds(crashEvents);

            Map<Boolean, List<AlertEvent>> flapEvents =
                    of(published, flap).stream()
                            .collect(
                                    Collectors.partitioningBy(
                                            e ->
                                                    e.getLabels()
                                                            .containsKey(FlapGate.FLAPPING_LABEL)));
            // Published: three cycles, then (held: firing, resolved) the state once stable.
            assertThat(flapEvents.get(false))
                    .extracting(e -> e.getState() + "@" + (e.getEventTime() - t0) / TEN_SECONDS)
                    .containsExactly(
                            "FIRING@0",
                            "RESOLVED@1",
                            "FIRING@2",
                            "RESOLVED@3",
                            "FIRING@4",
                            "RESOLVED@5",
                            "FIRING@8");
            assertThat(flapEvents.get(true))
                    .extracting(AlertEvent::getState)
                    .containsExactly(AlertState.FIRING, AlertState.RESOLVED);
            assertDeterministicIds(flapEvents.get(true));

            // The history holds every transition, held ones included, once.
            try (CqlSession session = StackFixtures.session(stack)) {
                Set<String> expected = new HashSet<>();
                published.forEach(e -> expected.add(e.getEventId()));
                Map<String, List<String>> history = history(session, published);
                String flapFingerprint = flapEvents.get(false).get(0).getFingerprint();
                assertThat(history.get(flapFingerprint))
                        .as("history of the flapping alert, oldest first")
                        .containsExactly(
                                "FIRING#1",
                                "RESOLVED#2",
                                "FIRING#1",
                                "RESOLVED#2",
                                "FIRING#1",
                                "RESOLVED#2",
                                "FIRING#1",
                                "RESOLVED#2",
                                "FIRING#1");
                assertThat(history.get(cpuEvents.get(0).getFingerprint()))
                        .containsExactly("PENDING#1", "FIRING#2", "RESOLVED#3");
                assertThat(history.get(crashEvents.get(0).getFingerprint()))
                        .containsExactly("FIRING#1", "RESOLVED#2");
                assertThat(history.get(flapEvents.get(true).get(0).getFingerprint()))
                        .containsExactly("FIRING#1", "RESOLVED#2");

                Set<String> historyIds = historyIds(session, published);
                // Plus the two held back from notification while the alert flapped.
                assertThat(historyIds).containsAll(expected).hasSize(expected.size() + 2);
                assertThat(byDayIds(session, run, t0)).isEqualTo(historyIds);
            }
        } finally {
            job.cancel().get();
        }
    }

    /**
     * What host h1 reports of its cpu at one time: core 0 at {@code value}, and core 1 idle at 10
     * %, which no rule of the test ever alerts on.
     */
    private static MetricBatch cores(String metric, double value, long time) {
        return MetricBatches.builder(Map.of("host", "h1"), time)
                .add(metric, Map.of("cpu", "0"), value)
                .add(metric, Map.of("cpu", "1"), 10.0)
                .build();
    }

    private static List<AlertEvent> of(List<AlertEvent> events, Rule rule) {
        return events.stream()
                .filter(e -> e.getRuleId().equals(rule.getId()))
                .collect(Collectors.toList());
    }

    private static void assertNoDuplicates(List<AlertEvent> events) {
        assertThat(events.stream().map(AlertEvent::getEventId).distinct().count())
                .as("distinct event ids")
                .isEqualTo(events.size());
    }

    /** Every id is the hash of fingerprint, episode start and sequence. */
    private static void assertDeterministicIds(List<AlertEvent> events) {
        for (AlertEvent event : events) {
            assertThat(event.getEventId())
                    .isEqualTo(
                            Alerts.eventId(
                                    event.getFingerprint(),
                                    event.getStartsAt(),
                                    event.getSequence()));
        }
    }

    /** alert_history of each fingerprint published, oldest first, as "STATE#sequence". */
    private static Map<String, List<String>> history(CqlSession session, List<AlertEvent> events) {
        Map<String, List<String>> history = new HashMap<>();
        for (String fingerprint :
                events.stream().map(AlertEvent::getFingerprint).collect(Collectors.toSet())) {
            List<String> rows = new ArrayList<>();
            for (Row row :
                    session.execute(
                            "SELECT state, sequence FROM vigil.alert_history WHERE fingerprint = ?"
                                    + " ORDER BY event_time ASC",
                            fingerprint)) {
                rows.add(row.getString("state") + "#" + row.getLong("sequence"));
            }
            history.put(fingerprint, rows);
        }
        return history;
    }

    private static Set<String> historyIds(CqlSession session, List<AlertEvent> events) {
        Set<String> ids = new HashSet<>();
        for (String fingerprint :
                events.stream().map(AlertEvent::getFingerprint).collect(Collectors.toSet())) {
            session.execute(
                            "SELECT event_id FROM vigil.alert_history WHERE fingerprint = ?",
                            fingerprint)
                    .forEach(row -> ids.add(row.getString("event_id")));
        }
        return ids;
    }

    /** alerts_by_day ids of this run's rules, over the days its events can fall on. */
    private static Set<String> byDayIds(CqlSession session, String run, long t0) {
        Set<String> ids = new HashSet<>();
        LocalDate first = LocalDate.ofInstant(Instant.ofEpochMilli(t0), ZoneOffset.UTC);
        for (LocalDate day = first; !day.isAfter(first.plusDays(1)); day = day.plusDays(1)) {
            for (Row row :
                    session.execute(
                            "SELECT event_id, rule_id FROM vigil.alerts_by_day WHERE day = ?",
                            day)) {
                if (row.getString("rule_id").endsWith("-" + run)) {
                    ids.add(row.getString("event_id"));
                }
            }
        }
        return ids;
    }
}
