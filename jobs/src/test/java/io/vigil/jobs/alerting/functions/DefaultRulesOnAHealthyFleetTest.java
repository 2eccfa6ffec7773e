package io.vigil.jobs.alerting.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.bench.Fleet;
import io.vigil.bench.Workload;
import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.rules.RuleFiles;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Rule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The shipped default rules on the simulated fleet of {@code vigil up} with nothing wrong: not one
 * transition, pending included, in three hours. An alert that goes pending and back on a healthy
 * fleet is noise on {@code vigil.alerts} and in {@code alert_history}, a million times over on a
 * million hosts.
 */
class DefaultRulesOnAHealthyFleetTest {
    private static final Duration STEP = Duration.ofSeconds(10);
    private static final Duration SPAN = Duration.ofHours(3);

    @Test
    void aHealthyFleetRaisesNothing() throws Exception {
        // A rack of 40 hosts, every metric of the fleet: 432 000 samples in 43 200 batches.
        Workload workload = new Workload(new Fleet(40, 10), STEP, 7, 0, Duration.ZERO);
        List<Rule> defaults = RuleFiles.defaults();
        try (KeyedBroadcastOperatorTestHarness<Long, MetricBatch, RuleUpdate, AlertEvent> harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new RuleEvaluator(Duration.ofMinutes(5), Duration.ofHours(1)),
                        MetricBatches::originId,
                        Types.LONG,
                        Descriptors.RULES)) {
            harness.setProcessingTime(0);
            for (Rule rule : defaults) {
                harness.processBroadcastElement(
                        RuleUpdate.of(Rule.newBuilder(rule).setVersion(1).build()), 0);
            }
            long first = workload.tickAtOrAfter(Instant.parse("2026-11-25T00:00:00Z"));
            long ticks = SPAN.dividedBy(STEP);
            int watched = 0;
            for (long tick = first; tick < first + ticks; tick++) {
                // Samples arrive as they are taken: the wall clock follows event time.
                harness.setProcessingTime((tick - first) * STEP.toMillis());
                for (Fleet.Host host : workload.fleet().hosts()) {
                    MetricBatch batch = workload.batch(host, tick);
                    harness.processElement(batch, batch.getTimestamp());
                    for (int i = 0; i < batch.getSamples().size(); i++) {
                        MetricSample sample = MetricBatches.sample(batch, i);
                        watched += defaults.stream().anyMatch(r -> watches(r, sample)) ? 1 : 0;
                    }
                }
            }

            // The rules did see the fleet: every host's CPU, memory and disk.
            assertThat(watched).isEqualTo(40 * 3 * (int) ticks);
            Map<String, Integer> byAlert = new TreeMap<>();
            for (AlertEvent event : harness.extractOutputValues()) {
                byAlert.merge(
                        event.getLabels().get("alertname") + " " + event.getState(),
                        1,
                        Integer::sum);
            }
            assertThat(byAlert).isEmpty();
        }
    }

    private static boolean watches(Rule rule, MetricSample sample) {
        return rule.getMetric().equals(sample.getName()) && Rules.matches(rule, sample);
    }
}
