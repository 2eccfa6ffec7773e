package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.TestRules;
import io.vigil.jobs.alerting.records.GroupContribution;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import io.vigil.schemas.SeriesIds;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The evaluator on a keyed broadcast harness: transitions per rule kind, rule updates, and that
 * state and timers go once nothing needs them. Processing time (the wall clock) starts at {@link
 * #WALL_CLOCK}; event time at {@link TestRules#T0}.
 */
class RuleEvaluatorTest {
    private static final long WALL_CLOCK = 1_000_000;
    private static final long TEN_SECONDS = 10_000;
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");
    private static final Map<String, String> WEB_2 = Map.of("host", "web-2");

    private KeyedBroadcastOperatorTestHarness<Long, MetricSample, RuleUpdate, AlertEvent> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new RuleEvaluator(IDLE_TIMEOUT, Duration.ofHours(1)),
                        SeriesIds::of,
                        Types.LONG,
                        Descriptors.RULES);
        harness.setProcessingTime(WALL_CLOCK);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void rule(Rule rule) throws Exception {
        harness.processBroadcastElement(RuleUpdate.of(rule), 0);
    }

    /** An ABSENCE rule on cpu: no sample for {@code forMs}. */
    private static Rule absence(String id, long forMs) {
        return TestRules.cpuAbove90()
                .setId(id)
                .setName("CpuAbsent")
                .setKind(RuleKind.ABSENCE)
                .setForMs(forMs)
                .build();
    }

    private void delete(String ruleId) throws Exception {
        harness.processBroadcastElement(RuleUpdate.deletion(ruleId), 0);
    }

    /** Samples of cpu on a host, 10 s apart from T0 + 10 s x {@code from}. */
    private void cpu(Map<String, String> host, int from, double... values) throws Exception {
        for (int i = 0; i < values.length; i++) {
            long timestamp = T0 + (from + i) * TEN_SECONDS;
            harness.processElement(new MetricSample("cpu", host, values[i], timestamp), timestamp);
        }
    }

    /** The transitions emitted so far, as "STATE host value", and clears them. */
    private List<String> transitions() {
        List<String> out =
                harness.extractOutputValues().stream()
                        .map(
                                e ->
                                        e.getState()
                                                + " "
                                                + e.getLabels().get("host")
                                                + " "
                                                + Templates.format(e.getValue()))
                        .collect(Collectors.toList());
        harness.getOutput().clear();
        return out;
    }

    private List<AlertEvent> events() {
        return Harnesses.drain(harness);
    }

    private int keyedStateEntries() {
        return Harnesses.keyedStateEntries(harness);
    }

    private void assertNoStateLeft() {
        Harnesses.assertNoStateLeft(harness);
    }

    @Test
    void pendingForForMsThenFiringThenResolvedWithDeterministicEvents() throws Exception {
        rule(TestRules.cpuAbove90().setForMs(20_000).build());
        cpu(WEB_1, 0, 50, 95, 96, 97);
        cpu(WEB_2, 0, 99);
        List<AlertEvent> events = events();
        assertThat(events)
                .extracting(e -> e.getState() + " " + e.getLabels().get("host"))
                .containsExactly("PENDING web-1", "FIRING web-1", "PENDING web-2");
        AlertEvent firing = events.get(1);
        assertThat(firing.getStartsAt()).isEqualTo(T0 + TEN_SECONDS);
        assertThat(firing.getEventTime()).isEqualTo(T0 + 3 * TEN_SECONDS);
        assertThat(firing.getSequence()).isEqualTo(2);
        assertThat(firing.getLabels())
                .containsEntry("alertname", "CpuHigh")
                .containsEntry("team", "infra");
        assertThat(firing.getAnnotations()).containsEntry("summary", "CPU of web-1 at 97%");
        assertThat(firing.getEventId())
                .isEqualTo(Alerts.eventId(firing.getFingerprint(), T0 + TEN_SECONDS, 2));
        assertThat(events.get(0).getFingerprint()).isEqualTo(firing.getFingerprint());
        assertThat(events.get(2).getFingerprint()).isNotEqualTo(firing.getFingerprint());

        cpu(WEB_1, 4, 40);
        cpu(WEB_2, 1, 40);
        assertThat(transitions()).containsExactly("RESOLVED web-1 40", "RESOLVED web-2 40");
        // A threshold rule keeps nothing once its alert resolved.
        assertNoStateLeft();
    }

    @Test
    void hysteresisResolvesOnlyBelowTheResolveThreshold() throws Exception {
        rule(TestRules.cpuAbove90().setResolveThreshold(80.0).build());
        cpu(WEB_1, 0, 85, 95, 85, 81);
        assertThat(transitions()).containsExactly("FIRING web-1 95");
        cpu(WEB_1, 4, 79, 85);
        assertThat(transitions()).containsExactly("RESOLVED web-1 79");
        assertNoStateLeft();
    }

    @Test
    void keepFiringForBridgesAShortClear() throws Exception {
        rule(TestRules.cpuAbove90().setKeepFiringForMs(20_000).build());
        cpu(WEB_1, 0, 95, 50, 95, 50, 50);
        assertThat(transitions()).containsExactly("FIRING web-1 95");
        cpu(WEB_1, 5, 50);
        assertThat(transitions()).containsExactly("RESOLVED web-1 50");
        assertNoStateLeft();
    }

    @Test
    void mOfNNeedsEnoughBreachesAmongTheLastEvaluations() throws Exception {
        rule(TestRules.cpuAbove90().setBreachesRequired(2).setEvaluationsWindow(3).build());
        cpu(WEB_1, 0, 95, 50, 50, 95, 50);
        assertThat(transitions()).isEmpty();
        cpu(WEB_1, 5, 95);
        assertThat(transitions()).containsExactly("FIRING web-1 95");
        cpu(WEB_1, 6, 50, 50);
        assertThat(transitions()).containsExactly("RESOLVED web-1 50");
        // The breach at index 5 still counts among the last 3 until one more clear evaluation.
        assertThat(keyedStateEntries()).isPositive();
        cpu(WEB_1, 8, 50);
        assertNoStateLeft();
    }

    @Test
    void absenceFiresOnTheWallClockAndResolvesWhenTheSeriesReturns() throws Exception {
        rule(absence("cpu-absent", 60_000));
        cpu(WEB_1, 0, 10);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.setProcessingTime(WALL_CLOCK + 59_000);
        assertThat(transitions()).isEmpty();
        harness.setProcessingTime(WALL_CLOCK + 60_000);
        List<AlertEvent> fired = events();
        assertThat(fired).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
        // Event time: the last sample plus the allowed silence, whenever the timer ran.
        assertThat(fired.get(0).getStartsAt()).isEqualTo(T0 + 60_000);
        assertThat(fired.get(0).getValue()).isEqualTo(60.0);
        // Firing, it waits for the series without a timer.
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.setProcessingTime(WALL_CLOCK + 200_000);
        cpu(WEB_1, 20, 12);
        assertThat(transitions()).containsExactly("RESOLVED web-1 12");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        delete("cpu-absent");
        assertThat(keyedStateEntries()).isZero();
        // The timer of the deleted rule runs once and finds nothing.
        harness.setProcessingTime(WALL_CLOCK + 300_000);
        assertThat(transitions()).isEmpty();
        assertNoStateLeft();
    }

    @Test
    void aReportingSeriesKeepsOneTimerThatFiresOnlyAfterTheLastSample() throws Exception {
        rule(absence("cpu-absent", 60_000));
        // Five minutes of samples every 10 s, arriving as they are taken: the timer set at the
        // first sample comes due four times while the series reports, and sets itself again.
        for (int i = 0; i < 30; i++) {
            harness.setProcessingTime(WALL_CLOCK + i * TEN_SECONDS);
            cpu(WEB_1, i, 10);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        }
        assertThat(transitions()).isEmpty();
        long last = WALL_CLOCK + 29 * TEN_SECONDS;
        harness.setProcessingTime(last + 59_000);
        assertThat(transitions()).isEmpty();
        harness.setProcessingTime(last + 60_000);
        List<AlertEvent> fired = events();
        assertThat(fired).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
        assertThat(fired.get(0).getStartsAt()).isEqualTo(T0 + 29 * TEN_SECONDS + 60_000);

        // A rule that allows a shorter silence brings the timer forward at the next sample.
        cpu(WEB_1, 40, 10);
        assertThat(transitions()).containsExactly("RESOLVED web-1 10");
        rule(absence("cpu-absent-short", 20_000));
        long back = last + 60_000;
        harness.setProcessingTime(back + TEN_SECONDS);
        cpu(WEB_1, 41, 10);
        harness.setProcessingTime(back + TEN_SECONDS + 20_000);
        assertThat(transitions()).containsExactly("FIRING web-1 20");
    }

    @Test
    void afterARestoreSilenceCountsFromTheRestartNotFromTheCheckpoint() throws Exception {
        rule(absence("cpu-absent", 60_000));
        cpu(WEB_1, 0, 10);
        OperatorSubtaskState checkpoint = harness.snapshot(1, WALL_CLOCK);
        harness.close();

        // The job was down for an hour; the series' timer is long overdue when it comes back.
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new RuleEvaluator(IDLE_TIMEOUT, Duration.ofHours(1)),
                                List.of(Descriptors.RULES)),
                        SeriesIds::of,
                        Types.LONG,
                        1,
                        1,
                        0);
        harness.setup();
        harness.initializeState(checkpoint);
        harness.open();
        long restart = WALL_CLOCK + 3_600_000;
        harness.setProcessingTime(restart);
        assertThat(transitions()).as("no absence before the backlog could arrive").isEmpty();
        harness.setProcessingTime(restart + 59_000);
        assertThat(transitions()).isEmpty();
        harness.setProcessingTime(restart + 60_000);
        List<AlertEvent> fired = events();
        assertThat(fired).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
        // Stamped in event time all the same: the last sample plus the allowed silence.
        assertThat(fired.get(0).getStartsAt()).isEqualTo(T0 + 60_000);
    }

    @Test
    void aFiringAlertOfASilentSeriesResolvesAtTheIdleTimeout() throws Exception {
        rule(TestRules.cpuAbove90().build());
        cpu(WEB_1, 0, 95);
        assertThat(transitions()).containsExactly("FIRING web-1 95");
        harness.setProcessingTime(WALL_CLOCK + IDLE_TIMEOUT.toMillis());
        List<AlertEvent> resolved = events();
        assertThat(resolved).extracting(AlertEvent::getState).containsExactly(AlertState.RESOLVED);
        assertThat(resolved.get(0).getEndsAt()).isEqualTo(T0 + IDLE_TIMEOUT.toMillis());
        assertNoStateLeft();
    }

    @Test
    void rateOfACounterIgnoresResets() throws Exception {
        rule(
                TestRules.cpuAbove90()
                        .setId("errors")
                        .setName("ErrorRate")
                        .setKind(RuleKind.RATE)
                        .setMetric("errors_total")
                        .setThreshold(5)
                        .setWindowMs(30_000)
                        .build());
        long[] times = {0, 10_000, 20_000, 30_000, 40_000};
        double[] values = {100, 120, 10, 30, 300};
        for (int i = 0; i < times.length; i++) {
            harness.processElement(
                    new MetricSample("errors_total", WEB_1, values[i], T0 + times[i]), 0);
        }
        // A reset at 20 s (10 counts as 120 + 10), then 270 more in 10 s: over the 30 s window
        // from 10 s, (420 - 120) / 30 s.
        List<AlertEvent> events = events();
        assertThat(events).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
        assertThat(events.get(0).getValue()).isEqualTo((420 - 120) / 30.0);
    }

    @Test
    void anomalyFiresOnAHighZScoreOnlyAfterMinSamples() throws Exception {
        rule(
                TestRules.cpuAbove90()
                        .setId("cpu-anomaly")
                        .setKind(RuleKind.ANOMALY)
                        .setThreshold(3)
                        .setMinSamples(5)
                        .setBaselineAlpha(0.2)
                        .build());
        // The fifth sample, far off, is not scored: the baseline has only 4 before it.
        cpu(WEB_1, 0, 10, 11, 10, 11, 100);
        assertThat(transitions()).isEmpty();
        // 100 widened the baseline: 10 and 11 score about -0.5; 200 scores about 6.
        cpu(WEB_1, 5, 10, 11, 200);
        assertThat(events()).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
    }

    @Test
    void aChangedRuleTakesEffectAtTheNextSampleAndAnOlderVersionIsIgnored() throws Exception {
        rule(TestRules.cpuAbove90().build());
        cpu(WEB_1, 0, 85);
        assertThat(transitions()).isEmpty();
        rule(TestRules.cpuAbove90().setVersion(3).setThreshold(80).build());
        cpu(WEB_1, 1, 85);
        assertThat(transitions()).containsExactly("FIRING web-1 85");
        // Version 2 arrives late: ignored, 85 stays above 80.
        rule(TestRules.cpuAbove90().setVersion(2).setThreshold(95).build());
        cpu(WEB_1, 2, 85);
        assertThat(transitions()).isEmpty();
        assertThat(harness.getBroadcastState(Descriptors.RULES).get("cpu-high").version)
                .isEqualTo(3);
    }

    @Test
    void deletingARuleResolvesItsAlertsAndDropsItsState() throws Exception {
        rule(TestRules.cpuAbove90().build());
        cpu(WEB_1, 0, 95);
        cpu(WEB_2, 0, 99);
        transitions();
        delete("cpu-high");
        assertThat(transitions())
                .containsExactlyInAnyOrder("RESOLVED web-1 95", "RESOLVED web-2 99");
        assertThat(keyedStateEntries()).isZero();
        cpu(WEB_1, 1, 99);
        assertThat(transitions()).isEmpty();
        // Recreated with an older version: still deleted.
        rule(TestRules.cpuAbove90().build());
        cpu(WEB_1, 2, 99);
        assertThat(transitions()).isEmpty();
        harness.setProcessingTime(WALL_CLOCK + IDLE_TIMEOUT.toMillis() + 1_000);
        assertNoStateLeft();
    }

    @Test
    void aRuleThatCannotBeEvaluatedIsDeadLetteredAndStopsItsOlderVersion() throws Exception {
        rule(TestRules.cpuAbove90().build());
        cpu(WEB_1, 0, 95);
        transitions();
        rule(TestRules.cpuAbove90().setVersion(2).setResolveThreshold(95.0).build());
        assertThat(transitions()).containsExactly("RESOLVED web-1 95");
        List<DeadLetter> deadLetters =
                harness.getSideOutput(DeadLetters.TAG).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.getSourceTopic()).isEqualTo("vigil.rules");
                            assertThat(d.getReason()).startsWith("invalid: resolve_threshold");
                        });
        cpu(WEB_1, 1, 99);
        assertThat(transitions()).isEmpty();
    }

    @Test
    void aDisabledRuleStopsAndAnEnabledOneStartsAgain() throws Exception {
        rule(TestRules.cpuAbove90().setEnabled(false).build());
        cpu(WEB_1, 0, 95);
        assertThat(transitions()).isEmpty();
        rule(TestRules.cpuAbove90().setVersion(2).build());
        cpu(WEB_1, 1, 95);
        assertThat(transitions()).containsExactly("FIRING web-1 95");
    }

    @Test
    void olderSamplesOfASeriesAreSkipped() throws Exception {
        rule(TestRules.cpuAbove90().build());
        cpu(WEB_1, 5, 95);
        cpu(WEB_1, 4, 10);
        assertThat(transitions()).containsExactly("FIRING web-1 95");
    }

    @Test
    void crashLoopRulesSignalEachFallToZero() throws Exception {
        rule(
                TestRules.cpuAbove90()
                        .setId("crash")
                        .setKind(RuleKind.CRASH_LOOP)
                        .setMetric("process_up")
                        .setOccurrences(3)
                        .build());
        double[] up = {0, 1, 0, 0, 1, 1, 0};
        for (int i = 0; i < up.length; i++) {
            harness.processElement(
                    new MetricSample("process_up", WEB_1, up[i], T0 + i * TEN_SECONDS), 0);
        }
        assertThat(harness.getSideOutput(Descriptors.CRASH_LOOP_DOWNS))
                .extracting(r -> r.getValue().timestamp)
                .containsExactly(T0 + 2 * TEN_SECONDS, T0 + 6 * TEN_SECONDS);
        assertThat(transitions()).isEmpty();
    }

    @Test
    void spikeRulesSignalEachClosedWindowAgainstTheBaseline() throws Exception {
        rule(
                TestRules.cpuAbove90()
                        .setId("spike")
                        .setKind(RuleKind.SPIKE)
                        .setThreshold(2)
                        .setWindowMs(60_000)
                        .setMinSamples(2)
                        .setBaselineAlpha(0.5)
                        .build());
        // Windows of 60 s with means 10, 10, 30, and one more sample to close the third.
        double[] values = {10, 10, 10, 10, 30, 30, 10};
        long[] offsets = {0, 30_000, 60_000, 90_000, 120_000, 150_000, 180_000};
        for (int i = 0; i < values.length; i++) {
            harness.processElement(new MetricSample("cpu", WEB_1, values[i], T0 + offsets[i]), 0);
        }
        List<PatternSignal> windows =
                harness.getSideOutput(Descriptors.SPIKE_WINDOWS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(windows)
                .extracting(w -> w.timestamp)
                .containsExactly(T0, T0 + 60_000, T0 + 120_000);
        assertThat(windows).extracting(w -> w.above).containsExactly(false, false, true);
        assertThat(windows.get(2).baseline).isEqualTo(10.0);
    }

    @Test
    void groupRulesOnlyHandEachSeriesValueToItsGroup() throws Exception {
        Rule rackAverage =
                TestRules.cpuAbove90().setId("rack-cpu").setGroupLevel(GroupLevel.RACK).build();
        Rule rackRate =
                TestRules.cpuAbove90()
                        .setId("rack-cpu-rate")
                        .setKind(RuleKind.RATE)
                        .setWindowMs(20_000)
                        .setGroupLevel(GroupLevel.RACK)
                        .build();
        rule(rackAverage);
        rule(rackRate);
        Map<String, String> placed =
                Map.of("host", "web-1", "dc", "dc1", "cluster", "c1", "rack", "r1");
        cpu(placed, 0, 95, 97, 99);
        // No rack: part of no group, counted and not dead-lettered.
        cpu(Map.of("host", "web-2", "dc", "dc1", "cluster", "c1"), 0, 99);

        assertThat(events()).as("a group decides, not a series").isEmpty();
        assertThat(harness.getSideOutput(DeadLetters.TAG)).isNull();
        List<GroupContribution> contributions =
                harness.getSideOutput(Descriptors.GROUP_CONTRIBUTIONS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        Map<String, String> rack = Map.of("dc", "dc1", "cluster", "c1", "rack", "r1");
        assertThat(contributions)
                .extracting(c -> c.ruleId + " " + Templates.format(c.value))
                // The rate needs its 20 s window covered: 4 per 20 s.
                .containsExactlyInAnyOrder(
                        "rack-cpu 95", "rack-cpu 97", "rack-cpu 99", "rack-cpu-rate 0.2");
        assertThat(contributions)
                .allSatisfy(
                        c -> {
                            assertThat(c.groupLabels).isEqualTo(rack);
                            assertThat(c.groupId).isEqualTo(Groups.id(c.ruleId, rack));
                            assertThat(c.seriesId).isEqualTo(SeriesIds.of("cpu", placed));
                        });
        // The rate keeps its window per series, the threshold nothing.
        assertThat(keyedStateEntries()).isPositive();
        delete("rack-cpu-rate");
        assertThat(keyedStateEntries()).isZero();
        harness.setProcessingTime(WALL_CLOCK + IDLE_TIMEOUT.toMillis());
        assertNoStateLeft();
    }
}
