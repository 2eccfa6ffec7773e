package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.schemas.Aggregation;
import io.vigil.schemas.Comparator;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rule files: every kind with its parameters, and the rules' ids. Errors: {@link
 * RuleFileErrorsTest}.
 */
class RuleFilesTest {
    private static final String SOURCE = "rules.yaml";

    static String file(String group, String... rules) {
        StringBuilder text = new StringBuilder("groups:\n  - name: " + group + "\n    rules:\n");
        for (String rule : rules) {
            text.append("      - ").append(rule.strip().replace("\n", "\n        ")).append('\n');
        }
        return text.toString();
    }

    private static Rule only(String rule) throws InvalidRulesException {
        List<Rule> rules = RuleFiles.parse(SOURCE, file("host", rule));
        assertThat(rules).hasSize(1);
        return rules.get(0);
    }

    @Test
    void threshold() throws Exception {
        Rule rule =
                only(
                        """
                        alert: CpuHigh
                        metric: node_cpu_usage_ratio
                        selector: {dc: dc1}
                        above: 0.9
                        resolve_below: 0.8
                        for: 5m
                        keep_firing_for: 1m
                        severity: critical
                        labels: {team: infra, host_label: "{{ $labels.host }}"}
                        annotations:
                          summary: "CPU on {{ $labels.host }} at {{ $value }}"
                        """);
        assertThat(rule.getId()).isEqualTo("host.CpuHigh");
        assertThat(rule.getName()).isEqualTo("CpuHigh");
        assertThat(rule.getKind()).isEqualTo(RuleKind.THRESHOLD);
        assertThat(rule.getMetric()).isEqualTo("node_cpu_usage_ratio");
        assertThat(rule.getSelector()).isEqualTo(Map.of("dc", "dc1"));
        assertThat(rule.getComparator()).isEqualTo(Comparator.GT);
        assertThat(rule.getThreshold()).isEqualTo(0.9);
        assertThat(rule.getResolveThreshold()).isEqualTo(0.8);
        assertThat(rule.getForMs()).isEqualTo(300_000);
        assertThat(rule.getKeepFiringForMs()).isEqualTo(60_000);
        assertThat(rule.getSeverity()).isEqualTo("critical");
        assertThat(rule.getLabels()).containsEntry("team", "infra");
        assertThat(rule.getAnnotations())
                .containsEntry("summary", "CPU on {{ $labels.host }} at {{ $value }}");
        assertThat(rule.getEnabled()).isTrue();
        assertThat(rule.getVersion()).isZero();
        assertThat(rule.getGroupLevel()).isEqualTo(GroupLevel.SERIES);
    }

    @Test
    void eachComparatorKey() throws Exception {
        assertThat(only("alert: A\nmetric: m\nat_least: 1").getComparator())
                .isEqualTo(Comparator.GE);
        assertThat(only("alert: A\nmetric: m\nbelow: 1").getComparator()).isEqualTo(Comparator.LT);
        Rule atMost = only("alert: A\nmetric: m\nat_most: 1\nresolve_above: 2");
        assertThat(atMost.getComparator()).isEqualTo(Comparator.LE);
        assertThat(atMost.getResolveThreshold()).isEqualTo(2.0);
    }

    @Test
    void aRackAverageAsTheReadmeWritesIt() throws Exception {
        Rule rule =
                only(
                        """
                        alert: RackCpuHigh
                        metric: node_cpu_usage_ratio
                        group_level: rack
                        aggregation: avg
                        window: 1m
                        above: 0.8
                        resolve_below: 0.7
                        for: 5m
                        annotations:
                          summary: "Rack {{ $labels.rack }} at {{ $value }} CPU on average"
                        """);
        assertThat(rule.getGroupLevel()).isEqualTo(GroupLevel.RACK);
        assertThat(rule.getAggregation()).isEqualTo(Aggregation.AVG);
        assertThat(RuleFormat.summary(rule))
                .isEqualTo("threshold node_cpu_usage_ratio avg by rack above 0.8 for 5m over 1m");
        assertThat(RuleFormat.toFields(rule))
                .containsEntry("group_level", "rack")
                .containsEntry("aggregation", "avg")
                .containsEntry("window", "1m");
    }

    @Test
    void thresholdOverAGroupWithMOfN() throws Exception {
        Rule rule =
                only(
                        """
                        alert: DcCpuHigh
                        metric: node_cpu_usage_ratio
                        group_level: dc
                        aggregation: max
                        window: 2m
                        at_least: 0.8
                        m_of_n: 3 of 5
                        """);
        assertThat(rule.getGroupLevel()).isEqualTo(GroupLevel.DC);
        assertThat(rule.getAggregation()).isEqualTo(Aggregation.MAX);
        assertThat(rule.getWindowMs()).isEqualTo(120_000);
        assertThat(rule.getBreachesRequired()).isEqualTo(3);
        assertThat(rule.getEvaluationsWindow()).isEqualTo(5);
        assertThat(rule.getForMs()).isZero();
    }

    @Test
    void absence() throws Exception {
        Rule rule = only("alert: HostDown\nkind: absence\nmetric: node_cpu_usage_ratio\nfor: 2m");
        assertThat(rule.getKind()).isEqualTo(RuleKind.ABSENCE);
        assertThat(rule.getForMs()).isEqualTo(120_000);
    }

    @Test
    void rate() throws Exception {
        Rule rule =
                only(
                        "alert: ErrorsRising\nkind: rate\nmetric: http_errors_total\nabove: 5\n"
                                + "window: 10m\nfor: 1m");
        assertThat(rule.getKind()).isEqualTo(RuleKind.RATE);
        assertThat(rule.getThreshold()).isEqualTo(5.0);
        assertThat(rule.getWindowMs()).isEqualTo(600_000);
    }

    @Test
    void anomaly() throws Exception {
        Rule rule =
                only(
                        "alert: Odd\nkind: anomaly\nmetric: node_load1\nabove: 3.5\n"
                                + "min_samples: 60\nbaseline_alpha: 0.05\nresolve_below: 2");
        assertThat(rule.getKind()).isEqualTo(RuleKind.ANOMALY);
        assertThat(rule.getThreshold()).isEqualTo(3.5);
        assertThat(rule.getMinSamples()).isEqualTo(60);
        assertThat(rule.getBaselineAlpha()).isEqualTo(0.05);
        assertThat(rule.getResolveThreshold()).isEqualTo(2.0);
    }

    @Test
    void spike() throws Exception {
        Rule rule =
                only(
                        "alert: Burst\nkind: spike\nmetric: client_errors\nabove: 3\nwindow: 1m\n"
                                + "occurrences: 2\nmin_samples: 10\nbaseline_alpha: 0.2");
        assertThat(rule.getKind()).isEqualTo(RuleKind.SPIKE);
        assertThat(rule.getThreshold()).isEqualTo(3.0);
        assertThat(rule.getOccurrences()).isEqualTo(2);
        assertThat(rule.getMinSamples()).isEqualTo(10);
        assertThat(rule.getBaselineAlpha()).isEqualTo(0.2);
    }

    @Test
    void crashLoop() throws Exception {
        Rule rule =
                only(
                        "alert: Looping\nkind: crash_loop\nmetric: process_up\noccurrences: 4\n"
                                + "window: 15m\nkeep_firing_for: 10m");
        assertThat(rule.getKind()).isEqualTo(RuleKind.CRASH_LOOP);
        assertThat(rule.getOccurrences()).isEqualTo(4);
        assertThat(rule.getWindowMs()).isEqualTo(900_000);
        assertThat(rule.getKeepFiringForMs()).isEqualTo(600_000);
    }

    @Test
    void defaultsOfTheSchemaApplyToOmittedFields() throws Exception {
        Rule rule = only("alert: Looping\nkind: crash-loop\nmetric: process_up");
        assertThat(rule.getOccurrences()).isEqualTo(3);
        assertThat(rule.getWindowMs()).isEqualTo(60_000);
        assertThat(rule.getSeverity()).isEqualTo("warning");
    }

    @Test
    void idsAreDerivedFromGroupAndAlertUnlessGiven() throws Exception {
        List<Rule> rules =
                RuleFiles.parse(
                        SOURCE,
                        file(
                                "node exporter",
                                "alert: CpuHigh\nmetric: m\nabove: 1",
                                "alert: CpuHigh2\nid: cpu-custom\nmetric: m\nabove: 1"));
        assertThat(rules)
                .extracting(Rule::getId)
                .containsExactly("node-exporter.CpuHigh", "cpu-custom");
    }

    @Test
    void disabledRule() throws Exception {
        assertThat(only("alert: A\nmetric: m\nabove: 1\nenabled: false").getEnabled()).isFalse();
    }

    @Test
    void theShippedDefaultsParseAndCoverWhatEveryFleetNeeds() {
        List<Rule> defaults = RuleFiles.defaults();
        assertThat(defaults)
                .extracting(Rule::getId)
                .contains(
                        "host.HostDown",
                        "host.CpuHigh",
                        "host.MemoryUsageUnusual",
                        "host.DiskFillingUp",
                        "process.ProcessCrashLooping",
                        "pipeline.PipelineLagging");
        assertThat(defaults)
                .extracting(Rule::getKind)
                .contains(
                        RuleKind.ABSENCE,
                        RuleKind.THRESHOLD,
                        RuleKind.RATE,
                        RuleKind.ANOMALY,
                        RuleKind.CRASH_LOOP);
    }

    @Test
    void aRuleWrittenBackReadsAsAnEqualRule() throws Exception {
        String text =
                file(
                        "all",
                        "alert: T\n"
                                + "metric: m\n"
                                + "selector: {a: b}\n"
                                + "below: 1\n"
                                + "resolve_above: 2\n"
                                + "for: 1m\n"
                                + "labels: {x: y}\n"
                                + "annotations: {s: \"{{ $value }}\"}\n"
                                + "enabled: false",
                        "alert: G\nmetric: m\ngroup_level: rack\naggregation: sum\nwindow: 5m\n"
                                + "above: 1\nm_of_n: 2 of 3\nkeep_firing_for: 30s",
                        "alert: Ab\nkind: absence\nmetric: m\nfor: 1h",
                        "alert: R\nkind: rate\nmetric: m_total\nat_most: 0\nwindow: 10m",
                        "alert: An\nkind: anomaly\nmetric: m\nat_least: 3",
                        "alert: S\nkind: spike\nmetric: m\nabove: 2\noccurrences: 5",
                        "alert: C\nkind: crash_loop\nmetric: up\nwindow: 10m");
        for (Rule rule : RuleFiles.parse(SOURCE, text)) {
            Map<String, Object> fields = RuleFormat.toFields(rule);
            String json =
                    new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fields);
            assertThat(RuleFiles.parseRule("body", rule.getId(), json)).isEqualTo(rule);
        }
    }

    @Test
    void summariesWriteNumbersAsPeopleDo() {
        Map<String, String> summaries = new java.util.HashMap<>();
        RuleFiles.defaults().forEach(rule -> summaries.put(rule.getId(), RuleFormat.summary(rule)));
        assertThat(summaries.get("host.DiskFillingUp"))
                .isEqualTo("rate node_filesystem_used_ratio above 0.0000278 for 15m over 30m");
        assertThat(summaries.get("pipeline.PipelineLagging"))
                .isEqualTo(
                        "threshold flink_taskmanager_job_task_operator_pendingRecords sum of all"
                                + " series above 1000000 for 5m over 1m");
        assertThat(summaries.get("process.ProcessCrashLooping"))
                .isEqualTo("crash_loop process_up over 10m");
    }

    @Test
    void aSingleRuleTakesItsIdFromTheRequest() throws Exception {
        Rule rule =
                RuleFiles.parseRule(
                        "PUT /api/v1/rules/my-rule",
                        "my-rule",
                        "{\"alert\": \"A\", \"metric\": \"m\", \"above\": 1}");
        assertThat(rule.getId()).isEqualTo("my-rule");
        assertThatThrownBy(
                        () ->
                                RuleFiles.parseRule(
                                        "PUT x",
                                        "my-rule",
                                        "alert: A\nid: other\nmetric: m\nabove: 1"))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessage("PUT x: id: \"other\" differs from the id \"my-rule\" in the path");
    }
}
