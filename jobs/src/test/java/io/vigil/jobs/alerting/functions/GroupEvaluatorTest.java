package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.TestRules;
import io.vigil.jobs.alerting.records.GroupContribution;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.Aggregation;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.Comparator;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.Labels;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group evaluator on a keyed broadcast harness: aggregations over the members' latest values,
 * the alert lifecycle of a group (for, hysteresis, absence), members dropping out, the bound, rule
 * deletion, and that state and timers go once a group is idle. Processing time (the wall clock)
 * starts at {@link #WALL_CLOCK} and moves one evaluation interval per {@link #evaluate()}; event
 * time starts at {@link TestRules#T0}.
 */
class GroupEvaluatorTest {
    private static final long WALL_CLOCK = 1_000_000;
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    private static final int MAX_MEMBERS = 3;
    private static final long TEN_SECONDS = 10_000;

    private static final Map<String, String> R1 =
            Map.of(Labels.DC, "dc1", Labels.CLUSTER, "c1", Labels.RACK, "r1");
    private static final Map<String, String> R2 =
            Map.of(Labels.DC, "dc1", Labels.CLUSTER, "c1", Labels.RACK, "r2");

    private KeyedBroadcastOperatorTestHarness<Long, GroupContribution, RuleUpdate, AlertEvent>
            harness;
    private long now;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new GroupEvaluator(
                                INTERVAL, IDLE_TIMEOUT, MAX_MEMBERS, Duration.ofHours(1)),
                        contribution -> contribution.groupId,
                        Types.LONG,
                        Descriptors.RULES);
        now = WALL_CLOCK;
        harness.setProcessingTime(now);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** {@code avg by (rack) (cpu) > 90}, labelled and annotated with the rack. */
    private static Rule.Builder rackAverage() {
        return TestRules.cpuAbove90()
                .setId("rack-cpu")
                .setName("RackCpuHigh")
                .setGroupLevel(GroupLevel.RACK)
                .setAggregation(Aggregation.AVG)
                .setWindowMs(30_000)
                .setLabels(Map.of("where", "rack {{ $labels.rack }}"))
                .setAnnotations(
                        Map.of("summary", "CPU of rack {{ $labels.rack }} at {{ $value }}%"));
    }

    private void rule(Rule rule) throws Exception {
        harness.processBroadcastElement(RuleUpdate.of(rule), 0);
    }

    /** A value of host {@code host} in {@code place}, for a rule, at T0 + 10 s x {@code step}. */
    private void contribute(Rule rule, Map<String, String> place, int host, double value, int step)
            throws Exception {
        Map<String, String> group = Groups.labels(rule.getGroupLevel(), place);
        long timestamp = T0 + step * TEN_SECONDS;
        harness.processElement(
                new GroupContribution(
                        Groups.id(rule.getId(), group),
                        rule.getId(),
                        group,
                        host,
                        value,
                        timestamp),
                timestamp);
    }

    /** Moves the wall clock on by one evaluation interval. */
    private void evaluate() throws Exception {
        now += INTERVAL.toMillis();
        harness.setProcessingTime(now);
    }

    /** The transitions emitted so far, as "STATE rack value", and clears them. */
    private List<String> transitions() {
        List<String> out =
                events().stream()
                        .map(
                                e ->
                                        e.getState()
                                                + " "
                                                + e.getLabels().getOrDefault(Labels.RACK, "-")
                                                + " "
                                                + Templates.format(e.getValue()))
                        .collect(Collectors.toList());
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
    void eachAggregationCombinesTheLatestValueOfEachMember() throws Exception {
        for (Aggregation aggregation : Aggregation.values()) {
            Rule rule =
                    rackAverage()
                            .setId("rack-" + aggregation)
                            .setAggregation(aggregation)
                            .setThreshold(0)
                            .build();
            rule(rule);
            contribute(rule, R1, 1, 10, 0);
            contribute(rule, R1, 2, 20, 0);
            // Only a member's latest value counts.
            contribute(rule, R1, 1, 30, 1);
        }
        evaluate();
        Map<String, Double> values =
                events().stream()
                        .collect(Collectors.toMap(AlertEvent::getRuleId, AlertEvent::getValue));
        assertThat(values)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "rack-AVG", 25.0,
                                "rack-SUM", 50.0,
                                "rack-MIN", 20.0,
                                "rack-MAX", 30.0,
                                "rack-COUNT", 2.0));
    }

    @Test
    void aRackAverageFiresForTheBreachingRackOnlyWithTheRacksLabels() throws Exception {
        Rule rule = rackAverage().build();
        rule(rule);
        contribute(rule, R1, 1, 95, 0);
        contribute(rule, R1, 2, 97, 0);
        contribute(rule, R2, 3, 95, 0);
        contribute(rule, R2, 4, 10, 0);
        // Nothing before the evaluation: a group is evaluated on its interval, not per sample.
        assertThat(transitions()).isEmpty();
        evaluate();
        List<AlertEvent> fired = events();
        assertThat(fired).hasSize(1);
        AlertEvent alert = fired.get(0);
        assertThat(alert.getState()).isEqualTo(AlertState.FIRING);
        assertThat(alert.getValue()).isEqualTo(96.0);
        assertThat(alert.getLabels())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                Alerts.ALERTNAME,
                                "RackCpuHigh",
                                Labels.DC,
                                "dc1",
                                Labels.CLUSTER,
                                "c1",
                                Labels.RACK,
                                "r1",
                                "where",
                                "rack r1"));
        assertThat(alert.getAnnotations()).containsEntry("summary", "CPU of rack r1 at 96%");
        assertThat(alert.getFingerprint())
                .isEqualTo(Alerts.fingerprint("rack-cpu", alert.getLabels()));
        assertThat(alert.getStartsAt()).isEqualTo(T0);
        assertThat(alert.getEventId()).isEqualTo(Alerts.eventId(alert.getFingerprint(), T0, 1));

        // The rack recovers: one host is enough to bring the average down.
        contribute(rule, R1, 2, 50, 1);
        evaluate();
        assertThat(transitions()).containsExactly("RESOLVED r1 72.5");
        // Without new contributions, nothing is evaluated again.
        evaluate();
        assertThat(transitions()).isEmpty();
    }

    @Test
    void aNewGroupWaitsAWholeIntervalForItsMembersBeforeItsFirstEvaluation() throws Exception {
        Rule rule = rackAverage().build();
        rule(rule);
        // The hot host's first value arrives just before a tick of the grid, the idle one's just
        // after it: evaluated at that tick, the rack would look hot.
        harness.setProcessingTime(WALL_CLOCK + 4_000);
        contribute(rule, R2, 3, 95, 0);
        harness.setProcessingTime(WALL_CLOCK + 6_000);
        contribute(rule, R2, 4, 10, 0);
        harness.setProcessingTime(WALL_CLOCK + 10_000);
        assertThat(transitions()).isEmpty();
        // Later values are evaluated at the next tick.
        contribute(rule, R2, 4, 99, 1);
        harness.setProcessingTime(WALL_CLOCK + 15_000);
        assertThat(transitions()).containsExactly("FIRING r2 97");
    }

    @Test
    void forAndHysteresisHoldAtGroupLevelInEventTime() throws Exception {
        Rule rule = rackAverage().setForMs(20_000).setResolveThreshold(80.0).build();
        rule(rule);
        double[] averages = {95, 95, 95, 85, 79};
        for (int step = 0; step < averages.length; step++) {
            contribute(rule, R1, 1, averages[step], step);
            contribute(rule, R1, 2, averages[step], step);
            evaluate();
        }
        // Pending at 0 s, firing at 20 s (held for 20 s of event time), 85 stays above the
        // resolve threshold, 79 resolves.
        List<AlertEvent> events = events();
        assertThat(events)
                .extracting(e -> e.getState() + "@" + (e.getEventTime() - T0) / TEN_SECONDS)
                .containsExactly("PENDING@0", "FIRING@2", "RESOLVED@4");
        assertThat(events).extracting(AlertEvent::getSequence).containsExactly(1L, 2L, 3L);
        assertThat(events).extracting(AlertEvent::getStartsAt).containsOnly(T0);
    }

    @Test
    void mOfNCountsOneEvaluationPerInterval() throws Exception {
        Rule rule = rackAverage().setBreachesRequired(2).setEvaluationsWindow(3).build();
        rule(rule);
        double[] values = {95, 50, 95};
        for (int step = 0; step < values.length; step++) {
            // Two samples of one host within one interval are one evaluation.
            contribute(rule, R1, 1, values[step], 2 * step);
            contribute(rule, R1, 1, values[step], 2 * step + 1);
            evaluate();
        }
        assertThat(transitions()).containsExactly("FIRING r1 95");
    }

    @Test
    void aSilentMemberDropsOutAfterTheWindowAndAnIdleGroupLeavesNothing() throws Exception {
        Rule rule = rackAverage().setThreshold(50).build();
        rule(rule);
        contribute(rule, R1, 1, 100, 0);
        contribute(rule, R1, 2, 10, 0);
        evaluate();
        assertThat(transitions()).containsExactly("FIRING r1 55");
        // Host 1 dies; host 2 reports on. After the 30 s window host 1 no longer pins the average.
        for (int step = 1; step <= 6; step++) {
            contribute(rule, R1, 2, 10, step);
            evaluate();
        }
        assertThat(transitions()).containsExactly("RESOLVED r1 10");
        // Host 2 stops too: the group empties, then goes after the idle timeout, timer included.
        harness.setProcessingTime(now + IDLE_TIMEOUT.toMillis() + INTERVAL.toMillis());
        assertThat(transitions()).isEmpty();
        assertNoStateLeft();
    }

    @Test
    void aMemberFarBehindInEventTimeDropsOutWhileABacklogIsReplayed() throws Exception {
        Rule rule = rackAverage().setThreshold(50).build();
        rule(rule);
        // All arrive within one interval of wall clock, but host 1's value is a minute older
        // than host 2's: host 1 stopped reporting a minute before the newest sample.
        contribute(rule, R1, 1, 100, 0);
        contribute(rule, R1, 2, 10, 6);
        evaluate();
        assertThat(transitions()).isEmpty();
    }

    @Test
    void anIdleGroupResolvesItsFiringAlert() throws Exception {
        Rule rule = rackAverage().setThreshold(1).build();
        rule(rule);
        contribute(rule, R1, 1, 5, 0);
        contribute(rule, R1, 2, 5, 0);
        evaluate();
        assertThat(transitions()).containsExactly("FIRING r1 5");
        // Members gone, an average has no value: the alert stays until the group is idle.
        harness.setProcessingTime(now + IDLE_TIMEOUT.toMillis() + INTERVAL.toMillis());
        List<AlertEvent> resolved = events();
        assertThat(resolved).extracting(AlertEvent::getState).containsExactly(AlertState.RESOLVED);
        assertThat(resolved.get(0).getEndsAt()).isEqualTo(T0 + IDLE_TIMEOUT.toMillis());
        assertNoStateLeft();
    }

    @Test
    void aCountBelowFiresWhenTheRacksHostsStop() throws Exception {
        Rule rule =
                rackAverage()
                        .setAggregation(Aggregation.COUNT)
                        .setComparator(Comparator.LT)
                        .setThreshold(2)
                        .build();
        rule(rule);
        contribute(rule, R1, 1, 5, 0);
        contribute(rule, R1, 2, 5, 0);
        evaluate();
        assertThat(transitions()).isEmpty();
        // Both stop; after the window the rack counts 0 hosts.
        for (int i = 0; i < 6; i++) {
            evaluate();
        }
        assertThat(transitions()).containsExactly("FIRING r1 0");
    }

    @Test
    void aGlobalSumLikePipelineLaggingFiresAfterForWithOnlyItsName() throws Exception {
        Rule rule =
                TestRules.cpuAbove90()
                        .setId("pipeline.PipelineLagging")
                        .setName("PipelineLagging")
                        .setMetric("flink_taskmanager_job_task_operator_pendingRecords")
                        .setGroupLevel(GroupLevel.GLOBAL)
                        .setAggregation(Aggregation.SUM)
                        .setThreshold(1_000_000)
                        .setForMs(20_000)
                        .setWindowMs(60_000)
                        .setLabels(Map.of())
                        .setAnnotations(Map.of("description", "{{ $value }} records not read"))
                        .build();
        rule(rule);
        // Three sources' backlogs, from different places: a global group has them all.
        for (int step = 0; step <= 2; step++) {
            contribute(rule, R1, 1, 400_000, step);
            contribute(rule, R2, 2, 400_000, step);
            contribute(rule, Map.of(), 3, 300_000, step);
            evaluate();
        }
        List<AlertEvent> events = events();
        assertThat(events)
                .extracting(AlertEvent::getState)
                .containsExactly(AlertState.PENDING, AlertState.FIRING);
        AlertEvent firing = events.get(1);
        assertThat(firing.getLabels()).isEqualTo(Map.of(Alerts.ALERTNAME, "PipelineLagging"));
        assertThat(firing.getAnnotations())
                .containsEntry("description", "1100000 records not read");
    }

    @Test
    void anomalyScoresTheAggregateAgainstTheGroupsBaseline() throws Exception {
        Rule rule =
                rackAverage()
                        .setKind(RuleKind.ANOMALY)
                        .setThreshold(4)
                        .setMinSamples(5)
                        .setBaselineAlpha(0.5)
                        .build();
        rule(rule);
        double[] averages = {10, 11, 10, 11, 10, 11, 50};
        for (int step = 0; step < averages.length; step++) {
            contribute(rule, R1, 1, averages[step], step);
            evaluate();
        }
        List<AlertEvent> events = events();
        assertThat(events).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
        assertThat(events.get(0).getValue()).isGreaterThan(4);
    }

    @Test
    void absenceFiresWhenNoMemberReportsAndResolvesWhenOneReturns() throws Exception {
        Rule rule =
                rackAverage()
                        .setId("rack-silent")
                        .setName("RackSilent")
                        .setKind(RuleKind.ABSENCE)
                        .setForMs(60_000)
                        .build();
        rule(rule);
        contribute(rule, R1, 1, 5, 0);
        contribute(rule, R1, 2, 5, 0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.setProcessingTime(WALL_CLOCK + 59_000);
        assertThat(transitions()).isEmpty();
        harness.setProcessingTime(WALL_CLOCK + 60_000);
        List<AlertEvent> fired = events();
        assertThat(fired).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
        assertThat(fired.get(0).getStartsAt()).isEqualTo(T0 + 60_000);
        assertThat(fired.get(0).getLabels()).containsEntry(Labels.RACK, "r1");
        // Firing, it waits for the group without a timer, however long.
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.setProcessingTime(WALL_CLOCK + 2 * IDLE_TIMEOUT.toMillis());
        contribute(rule, R1, 2, 7, 100);
        assertThat(transitions()).containsExactly("RESOLVED r1 7");
    }

    @Test
    void aFullGroupRefusesFurtherSeries() throws Exception {
        Rule rule = rackAverage().setAggregation(Aggregation.COUNT).setThreshold(0).build();
        rule(rule);
        for (int host = 1; host <= MAX_MEMBERS + 2; host++) {
            contribute(rule, R1, host, 5, 0);
        }
        evaluate();
        assertThat(transitions()).containsExactly("FIRING r1 3");
    }

    @Test
    void deletingARuleResolvesItsGroupAlertsAndDropsItsGroups() throws Exception {
        Rule rule = rackAverage().build();
        rule(rule);
        contribute(rule, R1, 1, 95, 0);
        contribute(rule, R2, 2, 95, 0);
        evaluate();
        assertThat(transitions()).containsExactlyInAnyOrder("FIRING r1 95", "FIRING r2 95");
        harness.processBroadcastElement(RuleUpdate.deletion(rule.getId()), 0);
        assertThat(transitions()).containsExactlyInAnyOrder("RESOLVED r1 95", "RESOLVED r2 95");
        assertThat(keyedStateEntries()).isZero();
        // Contributions still on their way find no rule; the timers left find nothing and end.
        contribute(rule, R1, 1, 95, 1);
        evaluate();
        assertThat(transitions()).isEmpty();
        assertNoStateLeft();
    }

    @Test
    void afterARestoreMembersCountTheirSilenceFromTheRestart() throws Exception {
        Rule rule = rackAverage().build();
        rule(rule);
        contribute(rule, R1, 1, 95, 0);
        contribute(rule, R1, 2, 97, 0);
        evaluate();
        assertThat(transitions()).containsExactly("FIRING r1 96");
        OperatorSubtaskState checkpoint = harness.snapshot(1, now);
        harness.close();

        // The job was down for an hour: every member's last arrival is long past the window.
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new GroupEvaluator(
                                        INTERVAL, IDLE_TIMEOUT, MAX_MEMBERS, Duration.ofHours(1)),
                                List.of(Descriptors.RULES)),
                        contribution -> contribution.groupId,
                        Types.LONG,
                        1,
                        1,
                        0);
        harness.setup();
        harness.initializeState(checkpoint);
        harness.open();
        now += 3_600_000;
        harness.setProcessingTime(now);
        // The backlog arrives: host 2 cools down, host 1's samples are still on their way.
        contribute(rule, R1, 2, 97, 1);
        evaluate();
        assertThat(transitions()).as("host 1 still counts").isEmpty();
        contribute(rule, R1, 2, 50, 2);
        evaluate();
        assertThat(transitions()).containsExactly("RESOLVED r1 72.5");
    }

    @Test
    void aNewThresholdCarriesTheGroupsAlertOn() throws Exception {
        Rule rule = rackAverage().build();
        rule(rule);
        contribute(rule, R1, 1, 95, 0);
        evaluate();
        assertThat(transitions()).containsExactly("FIRING r1 95");
        rule(rackAverage().setVersion(2).setThreshold(99).build());
        contribute(rule, R1, 1, 97, 1);
        evaluate();
        assertThat(transitions()).containsExactly("RESOLVED r1 97");
    }
}
