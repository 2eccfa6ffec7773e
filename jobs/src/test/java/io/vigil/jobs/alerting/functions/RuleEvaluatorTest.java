package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import io.vigil.schemas.SeriesIds;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The evaluator on a keyed broadcast harness, keyed by host as in the job: transitions per rule
 * kind, rule updates, several series of one host in one batch, and that state and timers go once
 * nothing needs them. Most tests send batches of one sample, which behave as the samples of old.
 * Processing time (the wall clock) starts at {@link #WALL_CLOCK}; event time at {@link
 * TestRules#T0}.
 */
class RuleEvaluatorTest {
    private static final long WALL_CLOCK = 1_000_000;
    private static final long TEN_SECONDS = 10_000;
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");
    private static final Map<String, String> WEB_2 = Map.of("host", "web-2");

    private KeyedBroadcastOperatorTestHarness<Long, MetricBatch, RuleUpdate, AlertEvent> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new RuleEvaluator(IDLE_TIMEOUT, Duration.ofHours(1)),
                        MetricBatches::originId,
                        Types.LONG,
                        Descriptors.RULES);
        harness.setProcessingTime(WALL_CLOCK);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** A harness of {@code function} keyed by host, restored from {@code checkpoint}. */
    private static KeyedBroadcastOperatorTestHarness<Long, MetricBatch, RuleUpdate, AlertEvent>
            restore(
                    KeyedBroadcastProcessFunction<Long, MetricBatch, RuleUpdate, AlertEvent>
                            function,
                    OperatorSubtaskState checkpoint)
                    throws Exception {
        KeyedBroadcastOperatorTestHarness<Long, MetricBatch, RuleUpdate, AlertEvent> restored =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(function, List.of(Descriptors.RULES)),
                        MetricBatches::originId,
                        Types.LONG,
                        1,
                        1,
                        0);
        try {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            return restored;
        } catch (Exception e) {
            restored.close();
            throw e;
        }
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

    /** Samples of cpu on a host, 10 s apart from T0 + 10 s x {@code from}, a batch each. */
    private void cpu(Map<String, String> host, int from, double... values) throws Exception {
        for (int i = 0; i < values.length; i++) {
            sample("cpu", host, values[i], T0 + (from + i) * TEN_SECONDS);
        }
    }

    /** One sample in a batch of its own, its labels the batch's. */
    private void sample(String metric, Map<String, String> labels, double value, long timestamp)
            throws Exception {
        batch(MetricBatches.builder(labels, timestamp).add(metric, value).build());
    }

    private void batch(MetricBatch batch) throws Exception {
        harness.processElement(batch, batch.getTimestamp());
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

        // The job was down for an hour; the host's timer is long overdue when it comes back.
        harness = restore(new RuleEvaluator(IDLE_TIMEOUT, Duration.ofHours(1)), checkpoint);
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
            sample("errors_total", WEB_1, values[i], T0 + times[i]);
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
            sample("process_up", WEB_1, up[i], T0 + i * TEN_SECONDS);
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
            sample("cpu", WEB_1, values[i], T0 + offsets[i]);
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

    // ---------------------------------------------------------------- several series per batch

    /** The host every batch of {@link #cores} comes from. */
    private static final long WEB_1_HOST =
            MetricBatches.originId(MetricBatches.builder(WEB_1, T0).build());

    /**
     * A batch of web-1 at T0 + 10 s x {@code at}: the cpu of cores 0 and 1 (a label of their own
     * each), and memory, which no rule watches.
     */
    private static MetricBatch cores(int at, double core0, double core1) {
        return MetricBatches.builder(WEB_1, T0 + at * TEN_SECONDS)
                .add("cpu", Map.of("cpu", "0"), core0)
                .add("cpu", Map.of("cpu", "1"), core1)
                .add("memory_used_bytes", 1e9)
                .build();
    }

    /** A batch of web-1 at T0 + 10 s x {@code at} with core 0 alone. */
    private static MetricBatch core0(int at, double value) {
        return MetricBatches.builder(WEB_1, T0 + at * TEN_SECONDS)
                .add("cpu", Map.of("cpu", "0"), value)
                .build();
    }

    /** The series id of a core of web-1. */
    private static long core(String cpu) {
        return SeriesIds.of("cpu", Map.of("host", "web-1", "cpu", cpu));
    }

    /** The transitions emitted so far, as "STATE host core", and clears them. */
    private List<String> coreTransitions() {
        return events().stream()
                .map(
                        e ->
                                e.getState()
                                        + " "
                                        + e.getLabels().get("host")
                                        + " cpu"
                                        + e.getLabels().get("cpu"))
                .toList();
    }

    private Set<Long> seriesOf(long host) throws Exception {
        return Harnesses.seriesOf(harness, host);
    }

    @Test
    void twoSeriesOfOneHostInOneBatchAreEvaluatedIndependently() throws Exception {
        Rule rule = TestRules.cpuAbove90().setForMs(20_000).build();
        rule(rule);
        batch(cores(0, 95, 50));
        batch(cores(1, 96, 97));
        batch(cores(2, 97, 98));
        batch(cores(3, 40, 99));
        List<AlertEvent> events = events();
        assertThat(events)
                .extracting(e -> e.getState() + " cpu" + e.getLabels().get("cpu"))
                .containsExactly(
                        "PENDING cpu0",
                        "PENDING cpu1",
                        "FIRING cpu0",
                        "RESOLVED cpu0",
                        "FIRING cpu1");
        // Each series' alert is the one a sample of that series alone raised: its labels all of
        // the series' (the batch's and its own), its episode, sequence and ids its own.
        AlertEvent firing1 = events.get(4);
        assertThat(firing1.getStartsAt()).isEqualTo(T0 + TEN_SECONDS);
        assertThat(firing1.getSequence()).isEqualTo(2);
        assertThat(firing1.getLabels())
                .isEqualTo(
                        Map.of(
                                "host",
                                "web-1",
                                "cpu",
                                "1",
                                "team",
                                "infra",
                                "alertname",
                                "CpuHigh"));
        assertThat(firing1.getFingerprint())
                .isEqualTo(
                        Alerts.fingerprint(
                                "cpu-high",
                                Alerts.labels(rule, Map.of("host", "web-1", "cpu", "1"))));
        assertThat(firing1.getEventId())
                .isEqualTo(Alerts.eventId(firing1.getFingerprint(), T0 + TEN_SECONDS, 2));
        assertThat(events.get(0).getFingerprint()).isNotEqualTo(firing1.getFingerprint());
        // One key, the host: its map holds the series still firing, and its timer's time.
        assertThat(seriesOf(WEB_1_HOST)).containsExactly(core("1"));
        assertThat(keyedStateEntries()).isEqualTo(2);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        batch(cores(4, 10, 10));
        assertThat(coreTransitions()).containsExactly("RESOLVED web-1 cpu1");
        assertNoStateLeft();
    }

    @Test
    void eventIdsAndFingerprintsAreThoseOfTheSamplesBeforeBatches() throws Exception {
        rule(TestRules.cpuAbove90().build());
        // Labels shared and of the sample's own make one series, as one sample with all of them
        // did before batches: the same alert, with the same ids, which consumers dedup by.
        batch(
                MetricBatches.builder(Map.of("host", "web-1", "dc", "dc1"), T0)
                        .add("cpu", Map.of("cpu", "0"), 95)
                        .build());
        AlertEvent firing = events().get(0);
        // Pinned from the evaluator before batches, fed MetricSample("cpu", {host=web-1, dc=dc1,
        // cpu=0}, 95, T0).
        assertThat(firing.getFingerprint()).isEqualTo("20c8731d40a0b649");
        assertThat(firing.getEventId()).isEqualTo("4b4651b882d15396");
    }

    @Test
    void aBatchLeavesStateOnlyForTheSeriesARuleKeepsStateFor() throws Exception {
        // A threshold under its limit keeps nothing; memory has no rule at all.
        rule(TestRules.cpuAbove90().build());
        batch(cores(0, 10, 10));
        assertNoStateLeft();

        // An absence rule on core 0 alone keeps that series, and only that one.
        rule(
                Rule.newBuilder(absence("core0-absent", 60_000))
                        .setSelector(Map.of("cpu", "0"))
                        .build());
        batch(cores(1, 10, 10));
        assertThat(seriesOf(WEB_1_HOST)).containsExactly(core("0"));
        assertThat(keyedStateEntries()).as("the host's series and its timer").isEqualTo(2);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        // Another host whose batch holds nothing any rule watches has no state at all.
        batch(MetricBatches.builder(WEB_2, T0).add("memory_used_bytes", 1e9).build());
        assertThat(keyedStateEntries()).isEqualTo(2);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        assertThat(transitions()).isEmpty();
    }

    @Test
    void absenceIsDecidedPerSeriesWithOneTimerPerHost() throws Exception {
        rule(absence("cpu-absent", 60_000));
        batch(cores(0, 10, 10));
        cpu(WEB_2, 0, 10);
        assertThat(harness.numProcessingTimeTimers())
                .as("one per host, not per series")
                .isEqualTo(2);

        // Core 1 of web-1 falls silent; its core 0 and web-2 report every 10 s.
        for (int i = 1; i <= 6; i++) {
            harness.setProcessingTime(WALL_CLOCK + i * TEN_SECONDS);
            batch(core0(i, 10));
            cpu(WEB_2, i, 10);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);
        }
        List<AlertEvent> fired = events();
        assertThat(fired)
                .extracting(e -> e.getState() + " cpu" + e.getLabels().get("cpu"))
                .containsExactly("FIRING cpu1");
        assertThat(fired.get(0).getStartsAt()).isEqualTo(T0 + 60_000);
        assertThat(fired.get(0).getValue()).isEqualTo(60.0);
        assertThat(seriesOf(WEB_1_HOST)).containsExactlyInAnyOrder(core("0"), core("1"));

        // Core 1 is back: its alert resolves; core 0 never fired.
        batch(cores(7, 10, 10));
        assertThat(coreTransitions()).containsExactly("RESOLVED web-1 cpu1");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);

        // Everything goes silent: each series fires once, from the one timer of its host.
        harness.setProcessingTime(WALL_CLOCK + 7 * TEN_SECONDS + 60_000);
        assertThat(coreTransitions())
                .containsExactlyInAnyOrder(
                        "FIRING web-1 cpu0", "FIRING web-1 cpu1", "FIRING web-2 cpunull");
        assertThat(harness.numProcessingTimeTimers()).as("firing absences wait").isZero();
    }

    @Test
    void idleSeriesLeaveTheirHostOneByOneAndTheHostGoesWithTheLast() throws Exception {
        // A rate keeps its window while the series reports, and fires nothing here.
        rule(
                TestRules.cpuAbove90()
                        .setId("cpu-rate")
                        .setKind(RuleKind.RATE)
                        .setWindowMs(30_000)
                        .build());
        batch(cores(0, 10, 10));
        assertThat(seriesOf(WEB_1_HOST)).containsExactlyInAnyOrder(core("0"), core("1"));

        // Core 1 falls silent, core 0 reports a minute more.
        harness.setProcessingTime(WALL_CLOCK + 60_000);
        batch(core0(6, 10));
        harness.setProcessingTime(WALL_CLOCK + IDLE_TIMEOUT.toMillis());
        assertThat(seriesOf(WEB_1_HOST)).containsExactly(core("0"));
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(WALL_CLOCK + 60_000 + IDLE_TIMEOUT.toMillis());
        assertThat(transitions()).isEmpty();
        assertNoStateLeft();
    }

    /**
     * What the evaluator kept before batches, as far as a restore can tell: a value state named
     * "series" per key (then a series).
     */
    private static final class KeyedBySeries
            extends KeyedBroadcastProcessFunction<Long, MetricBatch, RuleUpdate, AlertEvent> {
        @Override
        public void processElement(
                MetricBatch batch, ReadOnlyContext ctx, Collector<AlertEvent> out)
                throws Exception {
            getRuntimeContext()
                    .getState(new ValueStateDescriptor<>("series", Types.LONG))
                    .update(batch.getTimestamp());
        }

        @Override
        public void processBroadcastElement(
                RuleUpdate update, Context ctx, Collector<AlertEvent> out) {}
    }

    @Test
    void aSavepointFromBeforeBatchesIsRefusedRatherThanMisread() throws Exception {
        OperatorSubtaskState old;
        try (KeyedBroadcastOperatorTestHarness<Long, MetricBatch, RuleUpdate, AlertEvent> before =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new KeyedBySeries(),
                        MetricBatches::originId,
                        Types.LONG,
                        Descriptors.RULES)) {
            before.processElement(cores(0, 10, 10), T0);
            old = before.snapshot(1, WALL_CLOCK);
        }
        // Series ids read as hosts would be nonsense; the evaluator does not open instead.
        assertThatThrownBy(() -> restore(new RuleEvaluator(IDLE_TIMEOUT, Duration.ofHours(1)), old))
                .hasStackTraceContaining("start the job without it");
    }
}
