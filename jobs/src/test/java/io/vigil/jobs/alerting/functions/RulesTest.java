package io.vigil.jobs.alerting.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.TestRules;
import io.vigil.schemas.Aggregation;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesTest {
    private static final Duration MAX_WINDOW = Duration.ofHours(1);

    private static String problem(Rule.Builder rule) {
        return Rules.problem(rule.build(), MAX_WINDOW).orElse("none");
    }

    @Test
    void matchesTheMetricAndEverySelectorLabel() {
        Rule rule = TestRules.cpuAbove90().setSelector(Map.of("dc", "fra1")).build();
        assertThat(
                        Rules.matches(
                                rule,
                                new MetricSample(
                                        "cpu", Map.of("dc", "fra1", "host", "a"), 1.0, 0L)))
                .isTrue();
        assertThat(Rules.matches(rule, new MetricSample("cpu", Map.of("dc", "ams1"), 1.0, 0L)))
                .isFalse();
        assertThat(Rules.matches(rule, new MetricSample("cpu", Map.of(), 1.0, 0L))).isFalse();
        assertThat(Rules.matches(rule, new MetricSample("mem", Map.of("dc", "fra1"), 1.0, 0L)))
                .isFalse();
    }

    @Test
    void acceptsAWellFormedRule() {
        assertThat(problem(TestRules.cpuAbove90())).isEqualTo("none");
    }

    @Test
    void namesWhatIsWrongWithARule() {
        assertThat(problem(TestRules.cpuAbove90().setResolveThreshold(95.0)))
                .startsWith("invalid: resolve_threshold 95.0 is beyond threshold 90.0");
        assertThat(problem(TestRules.cpuAbove90().setBreachesRequired(3)))
                .startsWith("invalid: breaches_required and evaluations_window go together");
        assertThat(problem(TestRules.cpuAbove90().setBreachesRequired(4).setEvaluationsWindow(3)))
                .startsWith("invalid: m-of-n needs 1 <= m <= n <= 64");
        assertThat(problem(TestRules.cpuAbove90().setKind(RuleKind.ABSENCE)))
                .startsWith("invalid: ABSENCE needs for_ms > 0");
        assertThat(problem(TestRules.cpuAbove90().setKind(RuleKind.ANOMALY).setBaselineAlpha(0)))
                .startsWith("invalid: ANOMALY needs baseline_alpha in (0, 1]");
        assertThat(problem(TestRules.cpuAbove90().setKind(RuleKind.CRASH_LOOP).setOccurrences(1)))
                .startsWith("invalid: CRASH_LOOP needs window_ms > 0 and occurrences >= 2");
        assertThat(
                        problem(
                                TestRules.cpuAbove90()
                                        .setKind(RuleKind.SPIKE)
                                        .setWindowMs(Duration.ofMinutes(30).toMillis())))
                .startsWith("unsupported: the pattern spans 5400000 ms");
        assertThat(problem(TestRules.cpuAbove90().setGroupLevel(GroupLevel.RACK)))
                .isEqualTo("none");
        assertThat(
                        problem(
                                TestRules.cpuAbove90()
                                        .setGroupLevel(GroupLevel.RACK)
                                        .setKind(RuleKind.SPIKE)
                                        .setThreshold(3)))
                .startsWith("unsupported: group_level RACK with kind SPIKE");
        assertThat(problem(TestRules.cpuAbove90().setGroupLevel(GroupLevel.DC).setWindowMs(500)))
                .startsWith("invalid: window_ms of a group-level rule must be at least 1000 ms");
        assertThat(
                        problem(
                                TestRules.cpuAbove90()
                                        .setAnnotations(Map.of("summary", "{{ .Value }}"))))
                .startsWith("invalid: template of summary: unsupported expression {{ .Value }}");
        assertThat(problem(TestRules.cpuAbove90().setThreshold(Double.NaN)))
                .isEqualTo("invalid: threshold is not finite");
    }

    @Test
    void aNewThresholdCarriesStateOnButANewSelectorResetsIt() {
        Rule before = TestRules.cpuAbove90().build();
        assertThat(
                        Rules.resetsState(
                                before,
                                TestRules.cpuAbove90().setThreshold(80).setVersion(2).build()))
                .isFalse();
        assertThat(
                        Rules.resetsState(
                                before,
                                TestRules.cpuAbove90().setSelector(Map.of("dc", "x")).build()))
                .isTrue();
        assertThat(Rules.resetsState(before, TestRules.cpuAbove90().setLabels(Map.of()).build()))
                .isTrue();
        Rule rackAverage = TestRules.cpuAbove90().setGroupLevel(GroupLevel.RACK).build();
        assertThat(Rules.resetsState(before, rackAverage)).as("another alert identity").isTrue();
        assertThat(
                        Rules.resetsState(
                                rackAverage,
                                TestRules.cpuAbove90()
                                        .setGroupLevel(GroupLevel.RACK)
                                        .setAggregation(Aggregation.SUM)
                                        .build()))
                .as("another meaning of the value")
                .isTrue();
    }
}
