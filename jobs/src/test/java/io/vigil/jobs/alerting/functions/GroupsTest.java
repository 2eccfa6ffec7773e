package io.vigil.jobs.alerting.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.TestRules;
import io.vigil.schemas.Aggregation;
import io.vigil.schemas.GroupLevel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which group a series belongs to, how often groups are evaluated, and empty aggregates. */
class GroupsTest {
    private static final Map<String, String> PLACED =
            Map.of("host", "web-1", "dc", "dc1", "cluster", "c1", "rack", "r1");

    @Test
    void eachLevelTakesItsLabelsAndNoMore() {
        assertThat(Groups.labels(GroupLevel.RACK, PLACED))
                .isEqualTo(Map.of("dc", "dc1", "cluster", "c1", "rack", "r1"));
        assertThat(Groups.labels(GroupLevel.CLUSTER, PLACED))
                .isEqualTo(Map.of("dc", "dc1", "cluster", "c1"));
        assertThat(Groups.labels(GroupLevel.DC, PLACED)).isEqualTo(Map.of("dc", "dc1"));
        assertThat(Groups.labels(GroupLevel.GLOBAL, PLACED)).isEmpty();
    }

    @Test
    void aSeriesWithoutALabelItsLevelNeedsIsInNoGroup() {
        Map<String, String> noRack = Map.of("dc", "dc1", "cluster", "c1");
        assertThat(Groups.labels(GroupLevel.RACK, noRack)).isNull();
        assertThat(Groups.labels(GroupLevel.CLUSTER, noRack)).isNotNull();
        assertThat(Groups.labels(GroupLevel.DC, Map.of("dc", ""))).as("empty is missing").isNull();
        assertThat(Groups.labels(GroupLevel.GLOBAL, Map.of())).isEmpty();
    }

    @Test
    void groupsOfOneRuleDifferByTheirLabelsAndRulesByTheirIds() {
        Map<String, String> r1 = Groups.labels(GroupLevel.RACK, PLACED);
        Map<String, String> r2 = Map.of("dc", "dc1", "cluster", "c1", "rack", "r2");
        assertThat(Groups.id("a", r1)).isNotEqualTo(Groups.id("a", r2));
        assertThat(Groups.id("a", r1)).isNotEqualTo(Groups.id("b", r1));
        assertThat(Groups.id("a", r1)).isEqualTo(Groups.id("a", Map.copyOf(r1)));
    }

    @Test
    void theIntervalIsTheWindowIfShorterButAtLeastASecond() {
        assertThat(
                        Groups.evaluationIntervalMs(
                                TestRules.cpuAbove90().setWindowMs(60_000).build(), 5_000))
                .isEqualTo(5_000);
        assertThat(
                        Groups.evaluationIntervalMs(
                                TestRules.cpuAbove90().setWindowMs(2_000).build(), 5_000))
                .isEqualTo(2_000);
        assertThat(
                        Groups.evaluationIntervalMs(
                                TestRules.cpuAbove90().setWindowMs(10).build(), 5_000))
                .isEqualTo(1_000);
        assertThat(Groups.nextEvaluation(10_000, 5_000)).isEqualTo(15_000);
        assertThat(Groups.nextEvaluation(14_999, 5_000)).isEqualTo(15_000);
    }

    @Test
    void anEmptyGroupCountsZeroAndHasNoOtherValue() {
        Groups.Aggregate empty = new Groups.Aggregate();
        assertThat(empty.value(Aggregation.COUNT)).isZero();
        for (Aggregation aggregation :
                new Aggregation[] {
                    Aggregation.AVG, Aggregation.SUM, Aggregation.MIN, Aggregation.MAX
                }) {
            assertThat(empty.value(aggregation)).isNaN();
        }
    }
}
